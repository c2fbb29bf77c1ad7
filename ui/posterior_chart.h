#pragma once
// PosteriorChart: what the model makes of a between-class strip (QCustomPlot), drawn under it.
// Against the weight of class b (0: all a, 1: all b), the posterior p(a | x) and p(b | x) of each
// image by Bayes' rule with a uniform prior (core classPosterior): the mean over the strip's rows as
// lines, each image as a faint point; and the mean bits/dim of the images under their own weights
// on the right axis.
//
// Like SampleCanvas it follows one request: begin(id, ...) names the strip that comes next and
// showPosterior(id, ...) draws that request's posterior only (others are dropped). The last curves stay,
// marked as outdated, until the new ones arrive: the posterior comes after the picture.
#include "worker.h"

#include "strip_curves.h"

#include <QWidget>

class QCustomPlot;
class QCPGraph;
class QCPItemText;

namespace pixelmix::ui {

class PosteriorChart : public QWidget {
    Q_OBJECT
public:
    explicit PosteriorChart(QWidget* parent = nullptr);

    void setClassNames(const QStringList& names) { classNames_ = names; }
    // The next strip: classes a and b, `steps` images per row.
    void begin(quint64 id, int a, int b, int steps);
    // The strip's images, row after row, with their posteriors. False (nothing drawn) when `id` is
    // not the current request or the images do not make whole rows with a posterior each.
    bool showPosterior(quint64 id, const QVector<ImageInfo>& strip);

    quint64 currentId() const { return currentId_; }
    quint64 shownId() const { return shownId_; }  // the request whose curves are drawn; 0: none
    bool isUpToDate() const { return shownId_ != 0 && shownId_ == currentId_; }
    const StripCurves& curves() const { return curves_; }
    bool savePng(const QString& path);

Q_SIGNALS:
    void shown(quint64 id);

private:
    void clear();  // no curves yet
    QString className(int k) const;

    QCustomPlot* plot_ = nullptr;
    QCPGraph* meanA_ = nullptr;
    QCPGraph* meanB_ = nullptr;
    QCPGraph* meanBits_ = nullptr;
    QCPGraph* imagesA_ = nullptr;
    QCPGraph* imagesB_ = nullptr;
    QCPGraph* imagesBits_ = nullptr;
    QCPItemText* outdated_ = nullptr;
    QStringList classNames_;
    quint64 currentId_ = 0;
    quint64 shownId_ = 0;
    int a_ = 0, b_ = 1, steps_ = 0;
    StripCurves curves_;
};

}  // namespace pixelmix::ui
