#include "image_view.h"

#include <QPainter>

#include <algorithm>

namespace pixelmix::ui {

ImageView::ImageView(QWidget* parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setMinimumSize(160, 100);
}

void ImageView::setImage(const QImage& image)
{
    image_ = image;
    updateGeometry();
    update();
}

void ImageView::setPlaceholder(const QString& text)
{
    placeholder_ = text;
    update();
}

void ImageView::setCaption(const QString& text)
{
    caption_ = text;
    update();
}

QSize ImageView::sizeHint() const
{
    if (image_.isNull())
        return {320, 200};
    return image_.size() * 2 + QSize(0, fontMetrics().height() + 4);
}

void ImageView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().color(QPalette::Base));
    const int captionHeight = caption_.isEmpty() ? 0 : fontMetrics().height() + 4;
    if (image_.isNull()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
        return;
    }
    const QRect area = rect().adjusted(0, 0, 0, -captionHeight);
    const int zoom = std::min(area.width() / image_.width(), area.height() / image_.height());
    // Whole-number zoom keeps the pixels crisp; smaller than 1:1 it can only shrink smoothly.
    const QSize size = zoom >= 1 ? image_.size() * zoom : image_.size().scaled(area.size(), Qt::KeepAspectRatio);
    const QRect target(QPoint((area.width() - size.width()) / 2, (area.height() - size.height()) / 2), size);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, zoom < 1);
    painter.drawImage(target, image_);
    if (captionHeight > 0) {
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(QRect(0, height() - captionHeight, width(), captionHeight), Qt::AlignCenter, caption_);
    }
}

}  // namespace pixelmix::ui
