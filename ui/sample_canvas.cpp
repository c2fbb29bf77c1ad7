#include "sample_canvas.h"

#include "class_mixer.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace pixelmix::ui {

namespace {
constexpr int kPadding = 2;     // the make_grid layout of saved images
constexpr int kTickMs = 16;     // one display frame
constexpr int kDefaultSide = 28;

QRgb levelColour(int level, int levels)
{
    const int g = levels > 1 ? level * 255 / (levels - 1) : 0;
    return qRgb(g, g, g);
}

QRgb fadedColour(int level, int levels)
{
    const int g = levels > 1 ? level * 255 / (levels - 1) : 0;
    return qRgb(g * 45 / 100 + 10, g * 45 / 100 + 12, g * 50 / 100 + 22);  // the old picture, dimmed
}
}  // namespace

SampleCanvas::SampleCanvas(QWidget* parent) : QWidget(parent)
{
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    timer_.setInterval(kTickMs);
    connect(&timer_, &QTimer::timeout, this, &SampleCanvas::tick);
}

void SampleCanvas::setPacing(int milliseconds) { pacingMs_ = std::max(0, milliseconds); }

void SampleCanvas::setImagesPerRow(int count)
{
    perRow_ = std::max(0, count);
    rebuildImage();
    updateGeometry();
    update();
}

int SampleCanvas::imagesPerRow() const { return columns(); }

void SampleCanvas::setImageRange(int first, int count)
{
    first_ = std::max(0, first);
    rangeCount_ = count;
    rebuildImage();
    updateGeometry();
    update();
}

int SampleCanvas::shownCount() const
{
    const int total = requestCount_ > 0 ? requestCount_ : levels_.count;
    const int available = std::max(0, total - first_);
    return rangeCount_ < 0 ? available : std::min(rangeCount_, available);
}

int SampleCanvas::columns() const
{
    const int shown = std::max(1, shownCount());
    return perRow_ > 0 ? std::min(perRow_, shown) : shown;
}

int SampleCanvas::rows() const
{
    const int shown = std::max(1, shownCount());
    return (shown + columns() - 1) / columns();
}

void SampleCanvas::begin(quint64 id, int count)
{
    // What is on screen now becomes the background the new request is drawn over.
    if (!levels_.isEmpty() && levels_.count == count) {
        LevelsBlock shown = levels_;
        if (previous_.count == levels_.count && previous_.data.size() == levels_.data.size()) {
            const int perImage = levels_.pixelsPerImage();
            for (int i = 0; i < levels_.count; ++i)
                for (int p = revealed_; p < perImage; ++p)
                    shown.data[i * perImage + p] = previous_.data[i * perImage + p];
        } else if (revealed_ < levels_.pixelsPerImage()) {
            shown = LevelsBlock();  // half a picture over nothing: start clean
        }
        if (!shown.isEmpty())
            previous_ = shown;
    } else if (previous_.count != count) {
        previous_ = LevelsBlock();
    }
    currentId_ = id;
    requestCount_ = count;
    levels_ = LevelsBlock();
    levels_.count = count;
    if (!previous_.isEmpty()) {
        levels_.height = previous_.height;
        levels_.width = previous_.width;
        levels_.levels = previous_.levels;
    }
    info_.clear();
    available_ = 0;
    revealed_ = 0;
    finished_ = false;
    clock_.restart();
    timer_.start();
    rebuildImage();
    updateGeometry();
    update();
    Q_EMIT progressChanged(0, pixelsPerImage());
}

bool SampleCanvas::updateProgress(quint64 id, int row, int col, const LevelsBlock& levels)
{
    if (id != currentId_ || finished_) {
        ++staleDropped_;
        return false;
    }
    levels_ = levels;
    available_ = std::max(available_, row * levels.width + col + 1);
    tick();
    return true;
}

bool SampleCanvas::finish(quint64 id, const LevelsBlock& levels, const QVector<ImageInfo>& info)
{
    if (id != currentId_) {
        ++staleDropped_;
        return false;
    }
    levels_ = levels;
    info_ = info;
    available_ = levels.pixelsPerImage();
    finished_ = true;
    tick();
    return true;
}

void SampleCanvas::clear()
{
    timer_.stop();
    levels_ = LevelsBlock();
    previous_ = LevelsBlock();
    info_.clear();
    requestCount_ = 0;
    available_ = revealed_ = 0;
    finished_ = false;
    image_ = QImage();
    update();
}

bool SampleCanvas::isComplete() const { return finished_ && revealed_ >= pixelsPerImage(); }

void SampleCanvas::tick()
{
    const int total = pixelsPerImage();
    int target = available_;
    if (pacingMs_ > 0 && total > 0) {
        const double paced = std::ceil(double(clock_.elapsed() + kTickMs) / double(pacingMs_) * double(total));
        target = std::min(available_, int(std::min<double>(paced, total)));
    }
    if (target != revealed_) {
        revealed_ = target;
        rebuildImage();
        update();
        Q_EMIT progressChanged(revealed_, total);
    }
    if (finished_ && revealed_ >= total) {
        timer_.stop();
        Q_EMIT completed(currentId_);
    } else if (!timer_.isActive()) {
        timer_.start();
    }
}

LevelsBlock SampleCanvas::levels() const
{
    LevelsBlock out = levels_;
    const int shown = shownCount();
    out.count = shown;
    const int perImage = levels_.pixelsPerImage();
    if (levels_.data.size() >= qsizetype(first_ + shown) * perImage)
        out.data = levels_.data.mid(qsizetype(first_) * perImage, qsizetype(shown) * perImage);
    else
        out.data.clear();
    return out;
}

QImage SampleCanvas::gridImage() const
{
    const auto block = levels();
    if (block.isEmpty())
        return {};
    return Worker::gridImage(block, columns(), kPadding);
}

void SampleCanvas::rebuildImage()
{
    const int h = levels_.height > 0 ? levels_.height : kDefaultSide;
    const int w = levels_.width > 0 ? levels_.width : kDefaultSide;
    const int cols = columns(), rowCount = rows();
    if (shownCount() == 0) {  // nothing requested yet: an empty canvas, not an empty tile
        image_ = QImage();
        return;
    }
    const QSize size(cols * (w + kPadding) + kPadding, rowCount * (h + kPadding) + kPadding);
    if (image_.size() != size)
        image_ = QImage(size, QImage::Format_RGB32);
    image_.fill(qRgb(58, 58, 68));
    const int shown = shownCount();
    const int perImage = w * h;
    const bool haveNew = levels_.data.size() >= qsizetype(levels_.count) * perImage && levels_.count > 0;
    const bool haveOld = previous_.count == levels_.count && previous_.height == h && previous_.width == w &&
                         !previous_.data.isEmpty();
    for (int t = 0; t < shown; ++t) {
        const int image = first_ + t;
        const int x0 = (t % cols) * (w + kPadding) + kPadding;
        const int y0 = (t / cols) * (h + kPadding) + kPadding;
        for (int r = 0; r < h; ++r) {
            auto* line = reinterpret_cast<QRgb*>(image_.scanLine(y0 + r)) + x0;
            for (int c = 0; c < w; ++c) {
                const int p = r * w + c;
                if (haveNew && p < revealed_)
                    line[c] = levelColour(levels_.at(image, r, c), levels_.levels);
                else if (haveOld)
                    line[c] = fadedColour(previous_.at(image, r, c), previous_.levels);
                else
                    line[c] = qRgb(22, 22, 28);
            }
        }
    }
}

int SampleCanvas::zoom() const
{
    if (image_.isNull())
        return minimumZoom_;
    const int fit = std::min(width() / std::max(1, image_.width()), height() / std::max(1, image_.height()));
    return std::max(1, fit);
}

QSize SampleCanvas::gridSize() const
{
    const int h = levels_.height > 0 ? levels_.height : kDefaultSide;
    const int w = levels_.width > 0 ? levels_.width : kDefaultSide;
    return QSize(columns() * (w + kPadding) + kPadding, rows() * (h + kPadding) + kPadding);
}

QSize SampleCanvas::sizeHint() const { return gridSize() * std::max(minimumZoom_, 4); }

QSize SampleCanvas::minimumSizeHint() const { return gridSize() * minimumZoom_; }

int SampleCanvas::heightForWidth(int width) const
{
    const QSize grid = gridSize();
    return grid.height() * std::max(minimumZoom_, width / grid.width());
}

QRect SampleCanvas::tileRect(int index) const
{
    const int z = zoom();
    const int h = levels_.height > 0 ? levels_.height : kDefaultSide;
    const int w = levels_.width > 0 ? levels_.width : kDefaultSide;
    const QPoint origin((width() - image_.width() * z) / 2, (height() - image_.height() * z) / 2);
    const int cols = columns();
    return QRect(origin + QPoint(((index % cols) * (w + kPadding) + kPadding) * z,
                                 ((index / cols) * (h + kPadding) + kPadding) * z),
                 QSize(w * z, h * z));
}

int SampleCanvas::tileAt(const QPoint& pos) const
{
    for (int t = 0; t < shownCount(); ++t)
        if (tileRect(t).contains(pos))
            return t;
    return -1;
}

void SampleCanvas::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().color(QPalette::Window));
    if (image_.isNull())
        return;
    const int z = zoom();
    const QSize target = image_.size() * z;
    const QRect area(QPoint((width() - target.width()) / 2, (height() - target.height()) / 2), target);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter.drawImage(area, image_);

    const int total = pixelsPerImage();
    if (total > 0 && revealed_ < total && levels_.width > 0) {
        // The scan line: where each image is being drawn now.
        const int row = revealed_ / levels_.width, col = revealed_ % levels_.width;
        painter.setPen(Qt::NoPen);
        for (int t = 0; t < shownCount(); ++t) {
            const QRect tile = tileRect(t);
            painter.fillRect(QRect(tile.left(), tile.top() + row * z + z - std::max(1, z / 4), tile.width(),
                                   std::max(1, z / 4)),
                             QColor(80, 160, 255, 150));
            painter.fillRect(QRect(tile.left() + col * z, tile.top() + row * z, z, z), QColor(255, 170, 40));
        }
        // Progress along the bottom edge.
        const int barWidth = int(double(width()) * revealed_ / total);
        painter.fillRect(QRect(0, height() - 3, barWidth, 3), QColor(80, 160, 255));
    }
}

bool SampleCanvas::event(QEvent* e)
{
    if (e->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(e);
        const int t = tileAt(help->pos());
        if (t >= 0 && first_ + t < info_.size()) {
            const auto& i = info_[first_ + t];
            QToolTip::showText(help->globalPos(),
                               tr("Image %1: %2\n%3 bits/dim under these weights")
                                   .arg(first_ + t + 1)
                                   .arg(ClassMixer::describe(i.weights, classNames_))
                                   .arg(i.bitsPerDim, 0, 'f', 3),
                               this);
        } else {
            QToolTip::hideText();
            e->ignore();
        }
        return true;
    }
    return QWidget::event(e);
}

}  // namespace pixelmix::ui
