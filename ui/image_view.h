#pragma once
// ImageView: shows a QImage at the largest whole-number zoom that fits, without smoothing, so
// 28x28 samples stay crisp. Used for the training panel's live sample grid.
#include <QImage>
#include <QWidget>

namespace pixelmix::ui {

class ImageView : public QWidget {
    Q_OBJECT
public:
    explicit ImageView(QWidget* parent = nullptr);

    void setImage(const QImage& image);
    QImage image() const { return image_; }
    void setPlaceholder(const QString& text);
    void setCaption(const QString& text);

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QImage image_;
    QString placeholder_;
    QString caption_;
};

}  // namespace pixelmix::ui
