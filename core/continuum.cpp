#include "continuum.h"

#include "error.h"
#include "likelihood.h"

#include <cmath>

namespace pixelmix {

namespace {
void checkClass(int k, int classes, const char* which)
{
    if (k < 0 || k >= classes)
        throw Error(QStringLiteral("continuum: class %1 = %2 is outside 0..%3")
                        .arg(QLatin1String(which))
                        .arg(k)
                        .arg(classes - 1));
}
}  // namespace

torch::Tensor continuumWeights(int a, int b, int steps, int classes)
{
    checkClass(a, classes, "a");
    checkClass(b, classes, "b");
    if (a == b)
        throw Error(QStringLiteral("continuum: needs two different classes, got %1 twice").arg(a));
    if (steps < 2)
        throw Error(QStringLiteral("continuum: %1 steps; at least 2 are needed").arg(steps));
    auto weights = torch::zeros({steps, classes}, torch::kFloat32);
    auto access = weights.accessor<float, 2>();
    for (int k = 0; k < steps; ++k) {
        const double toB = double(k) / double(steps - 1);
        access[k][a] = float(1.0 - toB);
        access[k][b] = float(toB);
    }
    return weights;
}

Strip sampleStrip(PixelCNN& model, const StripRequest& request, const StripCallback& onPixel)
{
    const auto& c = model->config;
    if (request.rows < 1)
        throw Error(QStringLiteral("continuum: %1 rows; at least 1 is needed").arg(request.rows));
    if (!(request.temperature >= 0.0) || !std::isfinite(request.temperature))
        throw Error(QStringLiteral("continuum: temperature %1 must be finite and >= 0").arg(request.temperature));
    Strip strip;
    strip.request = request;
    strip.weights = continuumWeights(request.a, request.b, request.steps, c.classes);
    const int steps = request.steps;
    strip.levels = torch::zeros({int64_t(request.rows) * steps, c.height, c.width}, torch::kUInt8);

    for (int r = 0; r < request.rows; ++r) {
        SampleRequest row;
        row.weights = strip.weights;
        row.temperature = request.temperature;
        row.seed = request.seed + std::uint64_t(r);
        row.sharedNoise = request.coherent;
        bool cancelled = false;
        SampleCallback callback;
        if (onPixel)
            callback = [&](int pixelRow, int pixelCol, const torch::Tensor& levels) {
                cancelled = !onPixel(r, pixelRow, pixelCol, levels);
                return !cancelled;
            };
        strip.levels.narrow(0, int64_t(r) * steps, steps).copy_(sample(model, row, request.sampler, callback));
        if (cancelled)
            return strip;
    }

    strip.posterior = classPosterior(classLogLikelihoods(model, strip.levels));
    strip.bitsPerDim = torch::empty({int64_t(request.rows) * steps}, torch::kFloat64);
    for (int r = 0; r < request.rows; ++r)  // one strip row per forward: each image under its own weights
        strip.bitsPerDim.narrow(0, int64_t(r) * steps, steps)
            .copy_(imageBitsPerDim(model, strip.levels.narrow(0, int64_t(r) * steps, steps), strip.weights));
    strip.complete = true;
    return strip;
}

StripCurves stripCurves(const Strip& strip)
{
    if (!strip.complete)
        throw Error(QStringLiteral("continuum: the strip was cancelled before it was measured"));
    const int steps = strip.steps(), rows = strip.rows();
    const int a = strip.request.a, b = strip.request.b;
    StripCurves curves;
    curves.a = a;
    curves.b = b;
    const auto posterior = strip.posterior.to(torch::kFloat64).contiguous();
    const auto bits = strip.bitsPerDim.to(torch::kFloat64).contiguous();
    const auto p = posterior.accessor<double, 2>();
    const auto d = bits.accessor<double, 1>();
    curves.rowA.assign(rows, std::vector<double>(steps));
    curves.rowB = curves.rowA;
    curves.rowBits = curves.rowA;
    curves.meanA.assign(steps, 0.0);
    curves.meanB.assign(steps, 0.0);
    curves.meanBits.assign(steps, 0.0);
    for (int k = 0; k < steps; ++k) {
        curves.weightOfB.push_back(strip.weightOfB(k));
        for (int r = 0; r < rows; ++r) {
            const int64_t i = int64_t(r) * steps + k;
            curves.rowA[r][k] = p[i][a];
            curves.rowB[r][k] = p[i][b];
            curves.rowBits[r][k] = d[i];
            curves.meanA[k] += p[i][a] / rows;
            curves.meanB[k] += p[i][b] / rows;
            curves.meanBits[k] += d[i] / rows;
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
