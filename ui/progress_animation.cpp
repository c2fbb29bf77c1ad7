#include "progress_animation.h"

#include <QDir>
#include <QFont>
#include <QPainter>
#include <QPainterPath>
#include <QSaveFile>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace pixelmix::ui {

namespace {
constexpr int kCurveWidth = 520;
constexpr int kTitleHeight = 34;
const QColor kTrainColour(255, 127, 14);
const QColor kValidColour(44, 160, 44);

double niceStep(double span, int ticks)
{
    const double raw = span / std::max(1, ticks);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (raw <= m * magnitude)
            return m * magnitude;
    return 10.0 * magnitude;
}
}  // namespace

void ProgressAnimation::addEpoch(const EpochInfo& epoch)
{
    // A resumed run repeats epoch numbers: the newest record of an epoch wins.
    while (!frames_.isEmpty() && frames_.last().epoch >= epoch.epoch)
        frames_.removeLast();
    frames_.append(epoch);
}

int ProgressAnimation::frameCount() const
{
    return int(std::count_if(frames_.begin(), frames_.end(), [](const EpochInfo& e) { return !e.grid.isNull(); }));
}

QImage ProgressAnimation::renderFrame(int index, int gridZoom) const
{
    int seen = -1, at = -1;
    for (int i = 0; i < frames_.size(); ++i)
        if (!frames_[i].grid.isNull() && ++seen == index) {
            at = i;
            break;
        }
    if (at < 0)
        return {};
    const EpochInfo& current = frames_[at];
    // Every frame has the size of the largest grid, so the animation does not jump.
    QSize gridSize;
    for (const auto& e : frames_)
        gridSize = gridSize.expandedTo(e.grid.size());
    gridSize *= gridZoom;
    const int bodyHeight = std::max(gridSize.height(), 320);
    QImage frame(gridSize.width() + kCurveWidth, bodyHeight + kTitleHeight, QImage::Format_RGB32);
    frame.fill(Qt::white);
    QPainter p(&frame);
    p.setRenderHint(QPainter::Antialiasing, true);
    QFont font = p.font();
    font.setPixelSize(15);
    p.setFont(font);
    p.setPen(Qt::black);
    p.drawText(QRect(10, 0, frame.width() - 20, kTitleHeight), Qt::AlignVCenter | Qt::AlignLeft,
               QStringLiteral("PixelMix — epoch %1 — validation %2 bits/dim, train %3")
                   .arg(current.epoch)
                   .arg(current.validBitsPerDim, 0, 'f', 4)
                   .arg(current.trainBitsPerDim, 0, 'f', 4));

    // The grid, crisp.
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    const QSize shown = current.grid.size() * gridZoom;
    p.drawImage(QRect(QPoint(0, kTitleHeight + (bodyHeight - shown.height()) / 2), shown), current.grid);

    // The curve: axes fixed over the whole run, drawn up to this epoch.
    const QRect plot(gridSize.width() + 64, kTitleHeight + 14, kCurveWidth - 84, bodyHeight - 60);
    double lo = 1e300, hi = -1e300;
    for (const auto& e : frames_)
        for (double v : {e.trainBitsPerDim, e.validBitsPerDim}) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    if (!(hi > lo)) {
        lo -= 0.05;
        hi += 0.05;
    }
    const double margin = 0.08 * (hi - lo);
    lo -= margin;
    hi += margin;
    const int firstEpoch = frames_.first().epoch, lastEpoch = std::max(frames_.last().epoch, firstEpoch + 1);
    auto x = [&](double epoch) { return plot.left() + (epoch - firstEpoch) / double(lastEpoch - firstEpoch) * plot.width(); };
    auto y = [&](double v) { return plot.bottom() - (v - lo) / (hi - lo) * plot.height(); };

    font.setPixelSize(12);
    p.setFont(font);
    p.setPen(QPen(QColor(200, 200, 200), 1));
    const double step = niceStep(hi - lo, 5);
    for (double v = std::ceil(lo / step) * step; v <= hi; v += step) {
        p.setPen(QPen(QColor(225, 225, 225), 1));
        p.drawLine(QPointF(plot.left(), y(v)), QPointF(plot.right(), y(v)));
        p.setPen(Qt::black);
        p.drawText(QRectF(plot.left() - 60, y(v) - 8, 54, 16), Qt::AlignRight | Qt::AlignVCenter,
                   QString::number(v, 'f', step < 0.01 ? 3 : 2));
    }
    const int epochStep = std::max(1, int(niceStep(lastEpoch - firstEpoch, 6)));
    for (int e = firstEpoch; e <= lastEpoch; e += epochStep)
        p.drawText(QRectF(x(e) - 20, plot.bottom() + 4, 40, 16), Qt::AlignCenter, QString::number(e));
    p.drawText(QRectF(plot.left(), plot.bottom() + 22, plot.width(), 16), Qt::AlignCenter, QStringLiteral("epoch"));
    p.setPen(QPen(Qt::black, 1));
    p.drawLine(plot.bottomLeft(), plot.bottomRight());
    p.drawLine(plot.bottomLeft(), plot.topLeft());

    auto curve = [&](auto value, const QColor& colour) {
        QPainterPath path;
        for (int i = 0; i <= at; ++i) {
            const QPointF point(x(frames_[i].epoch), y(value(frames_[i])));
            if (i == 0)
                path.moveTo(point);
            else
                path.lineTo(point);
        }
        p.setPen(QPen(colour, 2));
        p.setBrush(Qt::NoBrush);
        p.drawPath(path);
        p.setBrush(colour);
        p.drawEllipse(QPointF(x(current.epoch), y(value(current))), 4.5, 4.5);
    };
    curve([](const EpochInfo& e) { return e.trainBitsPerDim; }, kTrainColour);
    curve([](const EpochInfo& e) { return e.validBitsPerDim; }, kValidColour);

    // Legend.
    const QPointF legend(plot.right() - 150, plot.top() + 8);
    for (int i = 0; i < 2; ++i) {
        const QColor c = i == 0 ? kTrainColour : kValidColour;
        p.setPen(QPen(c, 2));
        p.drawLine(legend + QPointF(0, 10 + 18 * i), legend + QPointF(22, 10 + 18 * i));
        p.setPen(Qt::black);
        p.drawText(QRectF(legend + QPointF(28, 2 + 18 * i), QSizeF(130, 16)), Qt::AlignLeft | Qt::AlignVCenter,
                   i == 0 ? QStringLiteral("train bits/dim") : QStringLiteral("validation bits/dim"));
    }
    return frame;
}

int ProgressAnimation::exportFrames(const QString& dir, QString* error) const
{
    if (!QDir().mkpath(dir)) {
        if (error)
            *error = QObject::tr("%1: cannot create the folder").arg(QDir::toNativeSeparators(dir));
        return -1;
    }
    const int count = frameCount();
    for (int i = 0; i < count; ++i) {
        const QString path = QDir(dir).filePath(QStringLiteral("frame_%1.png").arg(i + 1, 4, 10, QLatin1Char('0')));
        if (!renderFrame(i).save(path, "PNG")) {
            if (error)
                *error = QObject::tr("%1: cannot write the frame").arg(QDir::toNativeSeparators(path));
            return -1;
        }
    }
    return count;
}

bool ProgressAnimation::exportGif(const QString& path, int delayMs, QString* error) const
{
    QVector<QImage> images;
    QVector<int> delays;
    for (int i = 0; i < frameCount(); ++i) {
        images << renderFrame(i);
        delays << delayMs;
    }
    if (images.isEmpty()) {
        if (error)
            *error = QObject::tr("No epoch has finished yet: there is nothing to animate");
        return false;
    }
    delays.last() = std::max(delayMs, 2000);  // hold the final state
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(encodeGif(images, delays)) < 0 || !file.commit()) {
        if (error)
            *error = QObject::tr("%1: cannot write: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    return true;
}

// ---------------------------------------------------------------------------------------------
// GIF89a: global palette of a 6x6x6 colour cube plus 40 greys, LZW-compressed frames.

namespace {
struct Palette {
    std::array<QRgb, 256> colours{};
    std::array<quint8, 256> grey{};  // grey value -> nearest palette index

    Palette()
    {
        int n = 0;
        for (int r = 0; r < 6; ++r)
            for (int g = 0; g < 6; ++g)
                for (int b = 0; b < 6; ++b)
                    colours[n++] = qRgb(r * 51, g * 51, b * 51);
        for (int i = 0; i < 40; ++i) {
            const int v = (i * 255 + 19) / 39;
            colours[n++] = qRgb(v, v, v);
        }
        for (int v = 0; v < 256; ++v) {
            int best = 0, bestDistance = 1 << 30;
            for (int k = 0; k < 256; ++k) {
                const QRgb c = colours[k];
                if (qRed(c) != qGreen(c) || qGreen(c) != qBlue(c))
                    continue;
                const int distance = std::abs(qRed(c) - v);
                if (distance < bestDistance) {
                    best = k;
                    bestDistance = distance;
                }
            }
            grey[v] = quint8(best);
        }
    }

    quint8 index(QRgb c) const
    {
        const int r = qRed(c), g = qGreen(c), b = qBlue(c);
        if (std::max({r, g, b}) - std::min({r, g, b}) <= 12)
            return grey[(r + g + b) / 3];
        auto level = [](int v) { return (v + 25) / 51; };
        return quint8(level(r) * 36 + level(g) * 6 + level(b));
    }
};

void put16(QByteArray& out, int v)
{
    out.append(char(v & 0xff));
    out.append(char((v >> 8) & 0xff));
}

// LZW as GIF wants it: variable code width from minCodeSize+1 up to 12 bits, LSB first.
QByteArray lzw(const std::vector<quint8>& pixels)
{
    constexpr int minCodeSize = 8, clearCode = 256, maxCodes = 4096;
    std::vector<quint16> next(size_t(maxCodes) * 256, 0);  // code x byte -> code (0 = none)
    QByteArray bytes;
    quint32 buffer = 0;
    int bits = 0, codeSize = minCodeSize + 1, lastCode = clearCode + 1;
    auto put = [&](int code) {
        buffer |= quint32(code) << bits;
        bits += codeSize;
        while (bits >= 8) {
            bytes.append(char(buffer & 0xff));
            buffer >>= 8;
            bits -= 8;
        }
    };
    put(clearCode);
    int current = -1;
    for (quint8 value : pixels) {
        if (current < 0) {
            current = value;
            continue;
        }
        const quint16 found = next[size_t(current) * 256 + value];
        if (found) {
            current = found;
            continue;
        }
        put(current);
        next[size_t(current) * 256 + value] = quint16(++lastCode);
        if (lastCode >= (1 << codeSize))
            ++codeSize;
        if (lastCode == maxCodes - 1) {
            put(clearCode);
            std::fill(next.begin(), next.end(), 0);
            codeSize = minCodeSize + 1;
            lastCode = clearCode + 1;
        }
        current = value;
    }
    if (current >= 0)
        put(current);
    put(clearCode + 1);  // end of information
    if (bits > 0)
        bytes.append(char(buffer & 0xff));

    QByteArray blocks;
    blocks.append(char(minCodeSize));
    for (qsizetype i = 0; i < bytes.size(); i += 255) {
        const qsizetype n = std::min<qsizetype>(255, bytes.size() - i);
        blocks.append(char(n));
        blocks.append(bytes.constData() + i, n);
    }
    blocks.append(char(0));
    return blocks;
}
}  // namespace

QByteArray ProgressAnimation::encodeGif(const QVector<QImage>& frames, const QVector<int>& delaysMs)
{
    if (frames.isEmpty())
        return {};
    static const Palette palette;
    const QSize size = frames.first().size();
    QByteArray out("GIF89a");
    put16(out, size.width());
    put16(out, size.height());
    out.append(char(0xF7));  // global colour table, 8 bits of colour resolution, 256 entries
    out.append(char(0));     // background colour
    out.append(char(0));     // square pixels
    for (QRgb c : palette.colours) {
        out.append(char(qRed(c)));
        out.append(char(qGreen(c)));
        out.append(char(qBlue(c)));
    }
    out.append("\x21\xFF\x0BNETSCAPE2.0\x03\x01\x00\x00\x00", 19);  // loop forever
    for (int f = 0; f < frames.size(); ++f) {
        QImage image = frames[f].convertToFormat(QImage::Format_RGB32);
        if (image.size() != size) {
            QImage padded(size, QImage::Format_RGB32);
            padded.fill(Qt::white);
            QPainter(&padded).drawImage(0, 0, image);
            image = padded;
        }
        const int delay = (delaysMs.value(f, 500) + 5) / 10;  // hundredths of a second
        out.append("\x21\xF9\x04\x04", 4);                   // graphic control: keep the frame
        put16(out, delay);
        out.append(char(0));
        out.append(char(0));
        out.append(char(0x2C));  // image descriptor: the whole screen, no local palette
        put16(out, 0);
        put16(out, 0);
        put16(out, size.width());
        put16(out, size.height());
        out.append(char(0));
        std::vector<quint8> indices(size_t(size.width()) * size_t(size.height()));
        size_t n = 0;
        for (int y = 0; y < size.height(); ++y) {
            const auto* line = reinterpret_cast<const QRgb*>(image.constScanLine(y));
            for (int x = 0; x < size.width(); ++x)
                indices[n++] = palette.index(line[x]);
        }
        out.append(lzw(indices));
    }
    out.append(char(0x3B));
    return out;
}

}  // namespace pixelmix::ui
