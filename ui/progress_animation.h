#pragma once
// ProgressAnimation: the training-progress animation of the original study — each epoch's sample
// grid beside the bits/dim curve up to that epoch. Frames are collected as epochs finish and are
// exported as a folder of PNG frames (frame_0001.png, ...) and as an animated GIF.
#include "worker.h"

#include <QImage>
#include <QVector>

namespace pixelmix::ui {

class ProgressAnimation {
public:
    void clear() { frames_.clear(); }
    // Epochs without a grid are kept for the curve but get no frame of their own.
    void addEpoch(const EpochInfo& epoch);
    int frameCount() const;
    int epochCount() const { return int(frames_.size()); }

    // Frame `index` (0-based, among epochs with a grid): the grid at `gridZoom` beside the curve.
    QImage renderFrame(int index, int gridZoom = 3) const;

    // Writes frame_0001.png ... into `dir` (created). Returns the number of frames, or -1 with *error.
    int exportFrames(const QString& dir, QString* error) const;
    // Writes an animated GIF (looping; the last frame held longer). Returns false with *error.
    bool exportGif(const QString& path, int delayMs, QString* error) const;

    // A minimal GIF89a encoder (fixed 256-colour palette, LZW), enough for grids and line plots.
    static QByteArray encodeGif(const QVector<QImage>& frames, const QVector<int>& delaysMs);

private:
    QVector<EpochInfo> frames_;
};

}  // namespace pixelmix::ui
