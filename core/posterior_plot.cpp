#include "posterior_plot.h"

#include <QFontMetrics>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace pixelmix {

namespace {

const QColor kColorA(31, 119, 180);   // blue
const QColor kColorB(255, 127, 14);   // orange
const QColor kColorBits(44, 160, 44); // green
const QColor kAxis(60, 60, 60);
const QColor kGrid(225, 225, 225);

QColor faint(QColor color)
{
    color.setAlpha(70);
    return color;
}

// About `count` round tick values covering [low, high], and the decimals they need.
std::vector<double> niceTicks(double low, double high, int count, int* decimals)
{
    const double rough = (high - low) / std::max(count, 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    double step = magnitude;
    for (const double factor : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (factor * magnitude >= rough) {
            step = factor * magnitude;
            break;
        }
    *decimals = std::max(0, int(-std::floor(std::log10(step) + 1e-9)) + (std::fmod(step / magnitude, 1.0) > 0 ? 1 : 0));
    std::vector<double> ticks;
    for (double v = std::ceil(low / step - 1e-9) * step; v <= high + step * 1e-9; v += step)
        ticks.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
    return ticks;
}

// One panel: a frame, horizontal grid lines with labelled ticks, x ticks at 0, 0.1, ..., 1.
struct Panel {
    QRectF rect;
    double yLow, yHigh;

    QPointF at(double x, double y) const
    {
        return {rect.left() + x * rect.width(), rect.bottom() - (y - yLow) / (yHigh - yLow) * rect.height()};
    }

    void drawAxes(QPainter& painter, const std::vector<double>& yTicks, int yDecimals, const QString& yLabel) const
    {
        const QFontMetrics metrics(painter.font());
        painter.setPen(QPen(kGrid, 1));
        for (const double y : yTicks)
            painter.drawLine(at(0, y), at(1, y));
        painter.setPen(QPen(kAxis, 1));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(rect);
        for (const double y : yTicks) {
            const QPointF p = at(0, y);
            painter.drawLine(p, p - QPointF(5, 0));
            const QString text = QString::number(y, 'f', yDecimals);
            painter.drawText(QRectF(p.x() - 60, p.y() - 10, 52, 20), Qt::AlignRight | Qt::AlignVCenter, text);
        }
        for (int i = 0; i <= 10; ++i) {
            const QPointF p = at(i / 10.0, yLow);
            painter.drawLine(p, p + QPointF(0, i % 2 == 0 ? 6 : 3));
            if (i % 2 == 0)
                painter.drawText(QRectF(p.x() - 30, p.y() + 7, 60, metrics.height()), Qt::AlignHCenter | Qt::AlignTop,
                                 QString::number(i / 10.0, 'f', 1));
        }
        painter.save();
        painter.translate(rect.left() - 52, rect.center().y());
        painter.rotate(-90);
        painter.drawText(QRectF(-rect.height() / 2, -metrics.height(), rect.height(), metrics.height()),
                         Qt::AlignCenter, yLabel);
        painter.restore();
    }

    void drawSeries(QPainter& painter, const std::vector<double>& xs, const std::vector<double>& ys, const QColor& color,
                    double width, double markerRadius) const
    {
        QPainterPath path;
        for (size_t k = 0; k < xs.size(); ++k)
            k == 0 ? path.moveTo(at(xs[k], ys[k])) : path.lineTo(at(xs[k], ys[k]));
        painter.setPen(QPen(color, width));
        painter.setBrush(Qt::NoBrush);
        painter.drawPath(path);
        painter.setPen(Qt::NoPen);
        painter.setBrush(color);
        for (size_t k = 0; k < xs.size(); ++k)
            painter.drawEllipse(at(xs[k], ys[k]), markerRadius, markerRadius);
    }
};

// A legend entry: a short line with a marker, then its text; returns the x after it.
double drawLegendEntry(QPainter& painter, double x, double y, const QColor& color, double width, const QString& text)
{
    painter.setPen(QPen(color, width));
    painter.drawLine(QPointF(x, y), QPointF(x + 24, y));
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawEllipse(QPointF(x + 12, y), width + 1, width + 1);
    painter.setPen(kAxis);
    const QFontMetrics metrics(painter.font());
    painter.drawText(QPointF(x + 30, y + metrics.ascent() / 2.0 - 1), text);
    return x + 30 + metrics.horizontalAdvance(text) + 22;
}

}  // namespace

QImage plotPosterior(const StripCurves& curves, const PosteriorPlotOptions& options)
{
    const QString nameA = options.nameA.isEmpty() ? QString::number(curves.a) : options.nameA;
    const QString nameB = options.nameB.isEmpty() ? QString::number(curves.b) : options.nameB;
    const QString title = options.title.isEmpty()
                              ? QStringLiteral("Posterior along %1 \u2192 %2").arg(nameA, nameB)
                              : options.title;
    QImage image(options.size, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    QFont font = painter.font();
    font.setPixelSize(13);
    painter.setFont(font);
    const QFontMetrics metrics(font);

    const double width = options.size.width(), height = options.size.height();
    const double left = 78, right = 24, top = 74, bottom = 58, gap = 44;
    const double plotHeight = height - top - bottom - gap;
    const Panel posterior{QRectF(left, top, width - left - right, plotHeight * 0.6), 0.0, 1.0};

    double bitsLow = 1e300, bitsHigh = -1e300;
    for (const auto& row : curves.rowBits)
        for (const double v : row) {
            bitsLow = std::min(bitsLow, v);
            bitsHigh = std::max(bitsHigh, v);
        }
    if (!(bitsHigh > bitsLow)) {  // no rows, or all equal
        bitsLow = (bitsLow > bitsHigh ? 0.0 : bitsLow) - 0.05;
        bitsHigh = bitsLow + 0.1;
    }
    const double margin = 0.08 * (bitsHigh - bitsLow);
    const Panel bits{QRectF(left, posterior.rect.bottom() + gap, posterior.rect.width(), plotHeight * 0.4),
                     bitsLow - margin, bitsHigh + margin};

    // Title and legend.
    QFont titleFont = font;
    titleFont.setPixelSize(16);
    titleFont.setBold(true);
    painter.setFont(titleFont);
    painter.setPen(kAxis);
    painter.drawText(QRectF(0, 8, width, 26), Qt::AlignCenter, title);
    painter.setFont(font);
    const int rows = int(curves.rowA.size());
    double x = left;
    x = drawLegendEntry(painter, x, 50, kColorA, 2.5, QStringLiteral("p(%1 | x), mean").arg(nameA));
    x = drawLegendEntry(painter, x, 50, kColorB, 2.5, QStringLiteral("p(%1 | x), mean").arg(nameB));
    x = drawLegendEntry(painter, x, 50, kColorBits, 2.5, QStringLiteral("bits/dim (own weights), mean"));
    drawLegendEntry(painter, x, 50, faint(kAxis), 1.0, QStringLiteral("each of %1 row%2").arg(rows).arg(rows == 1 ? "" : "s"));

    int decimals = 0;
    const auto posteriorTicks = niceTicks(0.0, 1.0, 4, &decimals);
    posterior.drawAxes(painter, posteriorTicks, decimals, QStringLiteral("posterior"));
    const auto bitsTicks = niceTicks(bits.yLow, bits.yHigh, 4, &decimals);
    bits.drawAxes(painter, bitsTicks, decimals, QStringLiteral("bits/dim"));

    painter.save();
    painter.setClipRect(posterior.rect.adjusted(-6, -6, 6, 6));
    for (int r = 0; r < rows; ++r) {
        posterior.drawSeries(painter, curves.weightOfB, curves.rowA[r], faint(kColorA), 1.0, 1.8);
        posterior.drawSeries(painter, curves.weightOfB, curves.rowB[r], faint(kColorB), 1.0, 1.8);
    }
    posterior.drawSeries(painter, curves.weightOfB, curves.meanA, kColorA, 2.5, 3.5);
    posterior.drawSeries(painter, curves.weightOfB, curves.meanB, kColorB, 2.5, 3.5);
    painter.restore();
    painter.save();
    painter.setClipRect(bits.rect.adjusted(-6, -6, 6, 6));
    for (int r = 0; r < rows; ++r)
        bits.drawSeries(painter, curves.weightOfB, curves.rowBits[r], faint(kColorBits), 1.0, 1.8);
    bits.drawSeries(painter, curves.weightOfB, curves.meanBits, kColorBits, 2.5, 3.5);
    painter.restore();

    painter.setPen(kAxis);
    painter.drawText(QRectF(left, height - 26, bits.rect.width(), 22), Qt::AlignCenter,
                     QStringLiteral("weight of %1 (0: all %2, 1: all %1)").arg(nameB, nameA));
    painter.end();
    return image;
}

}  // namespace pixelmix
