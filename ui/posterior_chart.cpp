#include "posterior_chart.h"

#include "custom_plot.h"
#include "error.h"

#include <QVBoxLayout>

#include <algorithm>

namespace pixelmix::ui {

namespace {
// The report's colours (core/posterior_plot.cpp): a blue, b orange, bits/dim green.
const QColor kColorA(31, 119, 180);
const QColor kColorB(255, 127, 14);
const QColor kColorBits(44, 160, 44);
const QSize kSavedSize(900, 520);

QColor faint(QColor color)
{
    color.setAlpha(90);
    return color;
}

QCPGraph* addMean(QCustomPlot* plot, QCPAxis* valueAxis, const QColor& color, QCPScatterStyle::ScatterShape shape)
{
    auto* graph = plot->addGraph(plot->xAxis, valueAxis);
    graph->setPen(QPen(color, 2.5));
    graph->setScatterStyle(QCPScatterStyle(shape, color, color, 7));
    return graph;
}

// Each image of every row as a point, no line, out of the legend.
QCPGraph* addImages(QCustomPlot* plot, QCPAxis* valueAxis, const QColor& color)
{
    auto* graph = plot->addGraph(plot->xAxis, valueAxis);
    graph->setLineStyle(QCPGraph::lsNone);
    graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, faint(color), faint(color), 5));
    graph->removeFromLegend();
    return graph;
}

void setRows(QCPGraph* graph, const std::vector<double>& xs, const std::vector<std::vector<double>>& rows)
{
    QVector<double> keys, values;
    for (const auto& row : rows)
        for (size_t k = 0; k < row.size(); ++k) {
            keys << xs[k];
            values << row[k];
        }
    graph->setData(keys, values);
}

void setLine(QCPGraph* graph, const std::vector<double>& xs, const std::vector<double>& ys)
{
    graph->setData(QVector<double>(xs.begin(), xs.end()), QVector<double>(ys.begin(), ys.end()), true);
}
}  // namespace

PosteriorChart::PosteriorChart(QWidget* parent) : QWidget(parent)
{
    plot_ = new QCustomPlot(this);
    plot_->setObjectName(QStringLiteral("posteriorPlot"));
    plot_->setMinimumSize(320, 170);
    plot_->xAxis->setRange(-0.03, 1.03);
    plot_->xAxis->ticker()->setTickCount(10);
    plot_->yAxis->setRange(-0.03, 1.03);
    plot_->yAxis->setLabel(tr("posterior p(k | x)"));
    plot_->yAxis2->setVisible(true);
    plot_->yAxis2->setLabel(tr("bits/dim"));
    plot_->yAxis2->setLabelColor(kColorBits.darker(130));
    plot_->yAxis2->setTickLabelColor(kColorBits.darker(130));

    // Faint points first, so the mean lines are drawn over them.
    imagesA_ = addImages(plot_, plot_->yAxis, kColorA);
    imagesB_ = addImages(plot_, plot_->yAxis, kColorB);
    imagesBits_ = addImages(plot_, plot_->yAxis2, kColorBits);
    meanA_ = addMean(plot_, plot_->yAxis, kColorA, QCPScatterStyle::ssDisc);
    meanB_ = addMean(plot_, plot_->yAxis, kColorB, QCPScatterStyle::ssDisc);
    meanBits_ = addMean(plot_, plot_->yAxis2, kColorBits, QCPScatterStyle::ssDiamond);
    meanBits_->setPen(QPen(kColorBits, 1.5, Qt::DashLine));

    // The legend in a row above the axes, where it never hides a curve.
    plot_->legend->setVisible(true);
    plot_->legend->setFillOrder(QCPLegend::foColumnsFirst);
    plot_->legend->setBorderPen(Qt::NoPen);
    plot_->axisRect()->insetLayout()->take(plot_->legend);
    plot_->plotLayout()->insertRow(0);
    plot_->plotLayout()->addElement(0, 0, plot_->legend);
    plot_->plotLayout()->setRowStretchFactor(0, 0.001);
    plot_->plotLayout()->setRowSpacing(0);

    outdated_ = new QCPItemText(plot_);
    outdated_->setClipToAxisRect(false);
    outdated_->position->setType(QCPItemPosition::ptAxisRectRatio);
    outdated_->position->setCoords(0.5, 0.5);
    outdated_->setPositionAlignment(Qt::AlignCenter);
    outdated_->setColor(QColor(90, 90, 90));
    outdated_->setBrush(QColor(255, 255, 255, 220));
    outdated_->setPadding(QMargins(8, 4, 8, 4));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);
    clear();
}

QString PosteriorChart::className(int k) const { return classNames_.value(k, QString::number(k)); }

void PosteriorChart::begin(quint64 id, int a, int b, int steps)
{
    currentId_ = id;
    a_ = a;
    b_ = b;
    steps_ = steps;
    outdated_->setText(shownId_ == 0 ? tr("Measuring the posterior…") : tr("Updating…"));
    outdated_->setVisible(true);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

bool PosteriorChart::showPosterior(quint64 id, const QVector<ImageInfo>& strip)
{
    if (id != currentId_)
        return false;
    std::vector<std::vector<double>> posterior;
    std::vector<double> bits;
    for (const auto& image : strip) {
        posterior.emplace_back(image.posterior.begin(), image.posterior.end());
        bits.push_back(image.bitsPerDim);
    }
    try {
        curves_ = stripCurves(a_, b_, steps_, posterior, bits);
    } catch (const Error&) {
        return false;  // not this strip's images, or no posterior measured
    }
    const auto& c = curves_;
    setLine(meanA_, c.weightOfB, c.meanA);
    setLine(meanB_, c.weightOfB, c.meanB);
    setLine(meanBits_, c.weightOfB, c.meanBits);
    setRows(imagesA_, c.weightOfB, c.rowA);
    setRows(imagesB_, c.weightOfB, c.rowB);
    setRows(imagesBits_, c.weightOfB, c.rowBits);

    const int rows = int(c.rowA.size());
    const QString each = rows == 1 ? tr("points: the images") : tr("points: each of %1 rows").arg(rows);
    meanA_->setName(tr("p(%1 | x)").arg(className(a_)));
    meanB_->setName(tr("p(%1 | x)").arg(className(b_)));
    meanBits_->setName(tr("bits/dim (right axis)"));
    plot_->xAxis->setLabel(tr("weight of %1 (0: all %2, 1: all %1) · lines: mean over rows, %3")
                               .arg(className(b_), className(a_), each));
    double low = 1e300, high = -1e300;
    for (const auto& row : c.rowBits)
        for (const double v : row) {
            low = std::min(low, v);
            high = std::max(high, v);
        }
    const double margin = std::max(0.05, 0.1 * (high - low));
    plot_->yAxis2->setRange(low - margin, high + margin);

    shownId_ = id;
    outdated_->setVisible(false);
    plot_->replot();
    Q_EMIT shown(id);
    return true;
}

void PosteriorChart::clear()
{
    for (auto* graph : {meanA_, meanB_, meanBits_, imagesA_, imagesB_, imagesBits_})
        graph->data()->clear();
    curves_ = StripCurves();
    currentId_ = shownId_ = 0;
    meanA_->setName(tr("p(a | x)"));
    meanB_->setName(tr("p(b | x)"));
    meanBits_->setName(tr("bits/dim (right axis)"));
    plot_->xAxis->setLabel(tr("weight of b"));
    plot_->yAxis2->setRange(0.0, 1.0);
    outdated_->setText(tr("The posterior of the strip appears here"));
    outdated_->setVisible(true);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

bool PosteriorChart::savePng(const QString& path)
{
    return plot_->savePng(path, kSavedSize.width(), kSavedSize.height());
}

}  // namespace pixelmix::ui
