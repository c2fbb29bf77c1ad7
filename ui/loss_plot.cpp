#include "loss_plot.h"

#include "custom_plot.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QPushButton>
#include <QVBoxLayout>

namespace pixelmix::ui {

LossPlot::LossPlot(QWidget* parent) : QWidget(parent)
{
    plot_ = new QCustomPlot(this);
    plot_->setObjectName(QStringLiteral("lossPlot"));
    plot_->setMinimumSize(320, 200);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->axisRect()->setRangeDrag(Qt::Horizontal | Qt::Vertical);
    plot_->axisRect()->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    plot_->xAxis->setLabel(tr("step"));
    plot_->yAxis->setLabel(tr("bits/dim"));
    plot_->legend->setVisible(true);
    plot_->legend->setBrush(QColor(255, 255, 255, 210));
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);

    raw_ = plot_->addGraph();
    raw_->setName(tr("loss per step"));
    raw_->setPen(QPen(QColor(31, 119, 180, 55), 1));
    raw_->setAdaptiveSampling(true);
    smooth_ = plot_->addGraph();
    smooth_->setName(tr("loss (smoothed)"));
    smooth_->setPen(QPen(QColor(31, 119, 180), 2));
    smooth_->setAdaptiveSampling(true);
    trainEpochs_ = plot_->addGraph();
    trainEpochs_->setName(tr("train bits/dim (epoch)"));
    trainEpochs_->setPen(QPen(QColor(255, 127, 14), 1.5));
    trainEpochs_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
    validEpochs_ = plot_->addGraph();
    validEpochs_->setName(tr("validation bits/dim (epoch)"));
    validEpochs_->setPen(QPen(QColor(44, 160, 44), 1.5));
    validEpochs_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6));

    // Any zoom or pan by hand stops the view from following the data until fit().
    connect(plot_, &QCustomPlot::mousePress, this, [this] { follow_ = false; });
    connect(plot_, &QCustomPlot::mouseWheel, this, [this] { follow_ = false; });
    connect(plot_, &QCustomPlot::mouseDoubleClick, this, [this] { fit(); });

    logBox_ = new QCheckBox(tr("Log scale"));
    logBox_->setObjectName(QStringLiteral("logScale"));
    logBox_->setToolTip(tr("Logarithmic bits/dim axis (Ctrl+L)"));
    auto* fitButton = new QPushButton(tr("Fit"));
    fitButton->setToolTip(tr("Show all the data and follow new steps (or double-click the plot)"));
    connect(logBox_, &QCheckBox::toggled, this, &LossPlot::setLogScale);
    connect(fitButton, &QPushButton::clicked, this, &LossPlot::fit);

    auto* bar = new QHBoxLayout;
    bar->addWidget(logBox_);
    bar->addWidget(fitButton);
    bar->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_, 1);
    layout->addLayout(bar);

    replotTimer_.setSingleShot(true);
    replotTimer_.setInterval(100);  // at most ten redraws a second however fast the steps come
    connect(&replotTimer_, &QTimer::timeout, this, &LossPlot::replotNow);
}

void LossPlot::clear()
{
    for (auto* g : {raw_, smooth_, trainEpochs_, validEpochs_})
        g->data()->clear();
    ema_ = emaWeight_ = 0.0;
    lastStep_ = 0;
    follow_ = true;
    scheduleReplot();
}

void LossPlot::setHistory(const QVector<double>& steps, const QVector<EpochInfo>& epochs)
{
    clear();
    addSteps(steps.size(), steps);
    for (const auto& e : epochs)
        addEpoch(e);
}

void LossPlot::addSteps(qint64 lastStep, const QVector<double>& losses)
{
    if (losses.isEmpty())
        return;
    qint64 step = lastStep - losses.size() + 1;
    if (step <= lastStep_) {
        // A restart (a new run, or resuming from an earlier checkpoint): drop the overlap.
        raw_->data()->removeAfter(double(step) - 0.5);
        smooth_->data()->removeAfter(double(step) - 0.5);
    }
    QVector<double> xs, raw, smooth;
    xs.reserve(losses.size());
    for (double loss : losses) {
        // Debiased EMA (as TensorBoard smooths): the first steps are not pulled towards zero.
        ema_ = (1.0 - kSmoothing) * ema_ + kSmoothing * loss;
        emaWeight_ = (1.0 - kSmoothing) * emaWeight_ + kSmoothing;
        xs << double(step++);
        raw << loss;
        smooth << ema_ / emaWeight_;
    }
    raw_->addData(xs, raw, true);
    smooth_->addData(xs, smooth, true);
    lastStep_ = lastStep;
    scheduleReplot();
}

void LossPlot::addEpoch(const EpochInfo& e)
{
    trainEpochs_->data()->removeAfter(double(e.step) - 0.5);
    validEpochs_->data()->removeAfter(double(e.step) - 0.5);
    trainEpochs_->addData(double(e.step), e.trainBitsPerDim);
    validEpochs_->addData(double(e.step), e.validBitsPerDim);
    scheduleReplot();
}

void LossPlot::setLogScale(bool on)
{
    if (logBox_->isChecked() != on) {
        logBox_->setChecked(on);  // comes back here through toggled()
        return;
    }
    if (logScale_ == on)
        return;
    logScale_ = on;
    if (on) {
        plot_->yAxis->setScaleType(QCPAxis::stLogarithmic);
        plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    } else {
        plot_->yAxis->setScaleType(QCPAxis::stLinear);
        plot_->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
    follow_ = true;
    replotNow();
    Q_EMIT logScaleChanged(on);
}

void LossPlot::fit()
{
    follow_ = true;
    replotNow();
}

int LossPlot::stepPointCount() const { return raw_->dataCount(); }
int LossPlot::epochPointCount() const { return validEpochs_->dataCount(); }

void LossPlot::scheduleReplot()
{
    if (!replotTimer_.isActive())
        replotTimer_.start();
}

void LossPlot::replotNow()
{
    replotTimer_.stop();
    if (follow_) {
        plot_->rescaleAxes();
        const auto x = plot_->xAxis->range();
        plot_->xAxis->setRange(x.lower - 0.02 * x.size(), x.upper + 0.02 * x.size());  // end points stay visible
        const auto y = plot_->yAxis->range();
        if (logScale_)
            plot_->yAxis->setRange(y.lower / 1.1, y.upper * 1.1);
        else
            plot_->yAxis->setRange(y.lower - 0.05 * y.size(), y.upper + 0.05 * y.size());
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

QImage LossPlot::render(const QSize& size)
{
    replotNow();
    return plot_->toPixmap(size.width(), size.height()).toImage();
}

}  // namespace pixelmix::ui
