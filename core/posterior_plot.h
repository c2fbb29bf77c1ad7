#pragma once
// The chart of a continuum strip as a PNG-ready QImage, drawn with QPainter (no widgets): the
// posterior p(a | x) and p(b | x) against the weight of b on the upper panel, the bits/dim of the
// samples on the lower one; the mean over rows bold, each row's own points faint. The GUI draws
// the same StripCurves with its own chart widget.
//
// Drawing text needs fonts, so a QGuiApplication must exist (the offscreen platform will do).
#include "continuum.h"

#include <QImage>
#include <QSize>
#include <QString>

namespace pixelmix {

struct PosteriorPlotOptions {
    QString title;         // empty: "Posterior along a → b"
    QString nameA, nameB;  // class names for the legend; empty: the class numbers
    QSize size{760, 560};
};

QImage plotPosterior(const StripCurves& curves, const PosteriorPlotOptions& options = {});

}  // namespace pixelmix
