#pragma once
// LossPlot: the live training curve (QCustomPlot).
//   - training loss per step, raw values faint and an exponential moving average on top;
//   - train and validation bits/dim per epoch, as points at the step where each epoch ended.
// Drag to pan, wheel to zoom, double-click (or fit()) to see everything again; while the user has
// not moved the view it follows the new data. A legend, and a log-scale toggle for the y axis.
#include "worker.h"

#include <QTimer>
#include <QWidget>

class QCustomPlot;
class QCPGraph;
class QCheckBox;

namespace pixelmix::ui {

class LossPlot : public QWidget {
    Q_OBJECT
public:
    explicit LossPlot(QWidget* parent = nullptr);

    void clear();
    void setHistory(const QVector<double>& stepBitsPerDim, const QVector<EpochInfo>& epochs);
    // Losses of steps lastStep - losses.size() + 1 .. lastStep.
    void addSteps(qint64 lastStep, const QVector<double>& losses);
    void addEpoch(const EpochInfo& epoch);

    void setLogScale(bool on);
    bool logScale() const { return logScale_; }
    void fit();  // show all the data and follow new data again

    int stepPointCount() const;
    int epochPointCount() const;
    double smoothedLoss() const { return ema_; }
    QCustomPlot* plot() const { return plot_; }
    QCheckBox* logScaleBox() const { return logBox_; }
    // The plot as an image of this size (for the progress animation).
    QImage render(const QSize& size);

    // EMA weight of the newest step in the smoothed curve.
    static constexpr double kSmoothing = 0.02;

Q_SIGNALS:
    void logScaleChanged(bool on);

private:
    void scheduleReplot();
    void replotNow();

    QCustomPlot* plot_ = nullptr;
    QCPGraph* raw_ = nullptr;
    QCPGraph* smooth_ = nullptr;
    QCPGraph* trainEpochs_ = nullptr;
    QCPGraph* validEpochs_ = nullptr;
    QCheckBox* logBox_ = nullptr;
    QTimer replotTimer_;
    bool follow_ = true;
    bool logScale_ = false;
    double ema_ = 0.0;
    double emaWeight_ = 0.0;  // for the bias correction of the first steps
    qint64 lastStep_ = 0;
};

}  // namespace pixelmix::ui
