#pragma once
// SampleCanvas: a grid of images that fills pixel by pixel as the worker streams them.
//
// Each sampling request has an id. begin(id) makes it the canvas's request; progress and results of
// any other id are dropped (counted in staleDropped()). Pixels of the new request replace the old
// picture as they are revealed, so while a slider is dragged the old digit stays visible below the
// scan line and the new one grows over it.
//
// Pacing: the sampler is much faster than the eye (a strip in ~0.2 s), so the canvas reveals the
// pixels it has received at most at pacing() milliseconds per image set: the first rows show within
// a frame or two of begin(), and a finished result is never held back longer than the pacing.
// setPacing(0) draws pixels as soon as they arrive.
//
// A canvas may show a sub-range of the request's images (setImageRange), so two canvases can share
// one stream (the strip and the large "focus" image).
#include "worker.h"

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>

namespace pixelmix::ui {

class SampleCanvas : public QWidget {
    Q_OBJECT
public:
    explicit SampleCanvas(QWidget* parent = nullptr);

    void setPacing(int milliseconds);
    int pacing() const { return pacingMs_; }
    void setImagesPerRow(int count);  // 0: all in one row
    int imagesPerRow() const;
    void setImageRange(int first, int count);  // count -1: to the end
    void setClassNames(const QStringList& names) { classNames_ = names; }
    void setMinimumZoom(int zoom) { minimumZoom_ = std::max(1, zoom); }

    // A new request: from now on only `id` is drawn. `count`: images in the request.
    void begin(quint64 id, int count);
    // Return false (and draw nothing) when `id` is not the current request.
    bool updateProgress(quint64 id, int row, int col, const LevelsBlock& levels);
    bool finish(quint64 id, const LevelsBlock& levels, const QVector<ImageInfo>& info);
    void clear();

    quint64 currentId() const { return currentId_; }
    bool isFinished() const { return finished_; }       // the result has arrived
    bool isComplete() const;                           // ... and is fully on screen
    int pixelsPerImage() const { return levels_.pixelsPerImage(); }
    int availablePixels() const { return available_; }  // received, per image
    int revealedPixels() const { return revealed_; }    // on screen, per image
    int staleDropped() const { return staleDropped_; }
    int shownCount() const;                           // images in this canvas's range
    // The images of this canvas's range as received so far (all of them once finished).
    LevelsBlock levels() const;
    QVector<ImageInfo> info() const { return info_; }
    // 1:1 make_grid image of the range (padding 2); null before any result.
    QImage gridImage() const;
    int zoom() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    // As tall as the grid at the largest whole zoom this width allows, so a layout gives the canvas
    // the height it can use and the rest to its neighbours.
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;

Q_SIGNALS:
    void progressChanged(int revealed, int total);  // pixels per image
    void completed(quint64 id);                       // finished and fully revealed

protected:
    void paintEvent(QPaintEvent* event) override;
    bool event(QEvent* event) override;  // tooltips

private:
    void tick();
    void rebuildImage();
    int columns() const;
    int rows() const;
    QSize gridSize() const;  // 1:1, padding included, before any result too
    QRect tileRect(int index) const;  // in widget coordinates
    int tileAt(const QPoint& pos) const;

    int pacingMs_ = 600;
    int perRow_ = 0;
    int first_ = 0;
    int rangeCount_ = -1;
    int minimumZoom_ = 2;
    QStringList classNames_;

    quint64 currentId_ = 0;
    int requestCount_ = 0;
    LevelsBlock levels_;    // the current request's pixels so far (all images of the request)
    LevelsBlock previous_;  // the last complete picture, shown under the scan line
    QVector<ImageInfo> info_;
    int available_ = 0;
    int revealed_ = 0;
    bool finished_ = false;
    int staleDropped_ = 0;
    QElapsedTimer clock_;
    QTimer timer_;
    QImage image_;  // the 1:1 grid as shown now
};

}  // namespace pixelmix::ui
