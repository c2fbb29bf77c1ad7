#include "strip_curves.h"

#include "error.h"

#include <QStringList>

namespace pixelmix {

StripCurves stripCurves(int a, int b, int steps, const std::vector<std::vector<double>>& posterior,
                        const std::vector<double>& bitsPerDim)
{
    const int images = int(posterior.size());
    if (steps < 1 || images % steps != 0 || bitsPerDim.size() != posterior.size())
        throw Error(QStringLiteral("strip curves: %1 posteriors and %2 bits/dim do not make rows of %3 steps")
                        .arg(images)
                        .arg(bitsPerDim.size())
                        .arg(steps));
    for (const auto& p : posterior)
        if (a < 0 || b < 0 || int(p.size()) <= std::max(a, b))
            throw Error(QStringLiteral("strip curves: classes %1 and %2 need a posterior over more than %3 classes")
                            .arg(a)
                            .arg(b)
                            .arg(p.size()));
    const int rows = images / steps;
    StripCurves curves;
    curves.a = a;
    curves.b = b;
    curves.rowA.assign(rows, std::vector<double>(steps));
    curves.rowB = curves.rowA;
    curves.rowBits = curves.rowA;
    curves.meanA.assign(steps, 0.0);
    curves.meanB.assign(steps, 0.0);
    curves.meanBits.assign(steps, 0.0);
    for (int k = 0; k < steps; ++k) {
        curves.weightOfB.push_back(steps > 1 ? double(k) / double(steps - 1) : 0.0);
        for (int r = 0; r < rows; ++r) {
            const auto& p = posterior[size_t(r) * steps + k];
            const double bits = bitsPerDim[size_t(r) * steps + k];
            curves.rowA[r][k] = p[a];
            curves.rowB[r][k] = p[b];
            curves.rowBits[r][k] = bits;
            curves.meanA[k] += p[a] / rows;
            curves.meanB[k] += p[b] / rows;
            curves.meanBits[k] += bits / rows;
        }
    }
    return curves;
}

QString pairName(int a, int b)
{
    return QStringLiteral("%1-%2").arg(a).arg(b);
}

std::vector<std::pair<int, int>> parsePairs(const QString& text, int classes)
{
    std::vector<std::pair<int, int>> pairs;
    const auto parts = text.split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (parts.isEmpty())
        throw Error(QStringLiteral("pairs \"%1\": expected A-B pairs such as 1-7,4-9").arg(text));
    for (const auto& part : parts) {
        const auto fields = part.split(QLatin1Char('-'));
        bool aOk = false, bOk = false;
        const int a = fields.value(0).trimmed().toInt(&aOk);
        const int b = fields.value(1).trimmed().toInt(&bOk);
        if (fields.size() != 2 || !aOk || !bOk)
            throw Error(QStringLiteral("pairs \"%1\": \"%2\" is not A-B").arg(text, part));
        for (const int k : {a, b})
            if (k < 0 || k >= classes)
                throw Error(QStringLiteral("pairs \"%1\": class %2 is outside 0..%3").arg(text).arg(k).arg(classes - 1));
        if (a == b)
            throw Error(QStringLiteral("pairs \"%1\": \"%2\" needs two different classes").arg(text, part));
        pairs.emplace_back(a, b);
    }
    return pairs;
}

}  // namespace pixelmix
