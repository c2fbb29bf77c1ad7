#include "class_mixer.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSlider>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace pixelmix::ui {

ClassMixer::ClassMixer(QWidget* parent) : QWidget(parent)
{
    tabs_ = new QTabWidget(this);

    // --- two classes ---
    auto* pair = new QWidget;
    pickerA_ = new QComboBox;
    pickerB_ = new QComboBox;
    pickerA_->setObjectName(QStringLiteral("classA"));
    pickerB_->setObjectName(QStringLiteral("classB"));
    pickerA_->setToolTip(tr("Class A: the left end of the strip, 0% on the slider"));
    pickerB_->setToolTip(tr("Class B: the right end of the strip, 100% on the slider"));
    auto* swap = new QToolButton;
    swap->setText(QStringLiteral("⇄"));
    swap->setToolTip(tr("Swap A and B"));
    pairSlider_ = new QSlider(Qt::Horizontal);
    pairSlider_->setObjectName(QStringLiteral("mixSlider"));
    pairSlider_->setRange(0, 100);
    pairSlider_->setPageStep(10);
    pairSlider_->setTickPosition(QSlider::TicksBelow);
    pairSlider_->setTickInterval(10);
    pairSlider_->setToolTip(tr("From 100% A (left) to 100% B (right)"));
    pairLabel_ = new QLabel;
    pairLabel_->setAlignment(Qt::AlignCenter);

    auto* pickers = new QHBoxLayout;
    pickers->addWidget(new QLabel(tr("A")));
    pickers->addWidget(pickerA_, 1);
    pickers->addWidget(swap);
    pickers->addWidget(new QLabel(tr("B")));
    pickers->addWidget(pickerB_, 1);
    auto* ends = new QHBoxLayout;
    ends->addWidget(new QLabel(tr("100% A")));
    ends->addStretch();
    ends->addWidget(new QLabel(tr("100% B")));
    auto* pairLayout = new QVBoxLayout(pair);
    pairLayout->addLayout(pickers);
    pairLayout->addWidget(pairSlider_);
    pairLayout->addLayout(ends);
    pairLayout->addWidget(pairLabel_);
    pairLayout->addStretch();
    tabs_->addTab(pair, tr("Two classes"));

    // --- all classes ---
    auto* all = new QWidget;
    panel_ = new QWidget;
    panelLayout_ = new QGridLayout(panel_);
    panelLayout_->setContentsMargins(0, 0, 0, 0);
    panelLayout_->setHorizontalSpacing(2);
    auto* uniform = new QPushButton(tr("Uniform"));
    uniform->setToolTip(tr("Set every class to the same weight"));
    auto* fromPair = new QPushButton(tr("From A/B"));
    fromPair->setToolTip(tr("Copy the two-class mix into the panel"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(uniform);
    buttons->addWidget(fromPair);
    buttons->addStretch();
    auto* allLayout = new QVBoxLayout(all);
    allLayout->addWidget(panel_, 1);
    allLayout->addLayout(buttons);
    tabs_->addTab(all, tr("All classes"));

    // As tall as the taller page, never more: the space left in the dock stays below the controls.
    tabs_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(tabs_);

    connect(pickerA_, &QComboBox::currentIndexChanged, this, [this] {
        if (updating_)
            return;
        Q_EMIT pairChanged();
        changed();
    });
    connect(pickerB_, &QComboBox::currentIndexChanged, this, [this] {
        if (updating_)
            return;
        Q_EMIT pairChanged();
        changed();
    });
    connect(swap, &QToolButton::clicked, this, [this] {
        const int a = classA(), b = classB();
        updating_ = true;
        pickerA_->setCurrentIndex(b);
        pickerB_->setCurrentIndex(a);
        updating_ = false;
        Q_EMIT pairChanged();
        changed();
    });
    connect(pairSlider_, &QSlider::valueChanged, this, [this] { changed(); });
    connect(tabs_, &QTabWidget::currentChanged, this, [this] { changed(); });
    connect(uniform, &QPushButton::clicked, this, [this] { setPanelValues(QVector<int>(classCount(), 50)); });
    connect(fromPair, &QPushButton::clicked, this, [this] {
        const auto w = pairWeights(mixPercent() / 100.0);
        QVector<int> values(classCount());
        for (int k = 0; k < values.size(); ++k)
            values[k] = int(std::lround(w.value(k) * 100.0));
        setPanelValues(values);
    });

    QStringList digits;
    for (int k = 0; k < 10; ++k)
        digits << QString::number(k);
    setClassNames(digits);
    setClassA(4);
    setClassB(9);
    setMixPercent(30);
}

void ClassMixer::setClassNames(const QStringList& names)
{
    if (names == names_ || names.isEmpty())
        return;
    const int a = classA(), b = classB();
    const auto values = panelValues();
    updating_ = true;
    names_ = names;
    for (QComboBox* picker : {pickerA_, pickerB_}) {
        picker->clear();
        for (int k = 0; k < names.size(); ++k)
            picker->addItem(names[k] == QString::number(k) ? names[k] : QStringLiteral("%1 · %2").arg(k).arg(names[k]));
    }
    pickerA_->setCurrentIndex(std::clamp(a, 0, int(names.size()) - 1));
    pickerB_->setCurrentIndex(std::clamp(b < 0 ? 1 : b, 0, int(names.size()) - 1));
    rebuildPanel();
    QVector<int> kept(names.size(), 50);
    if (values.size() == names.size())
        kept = values;
    for (int k = 0; k < classSliders_.size(); ++k)
        classSliders_[k]->setValue(kept[k]);
    updating_ = false;
    updateLabels();
    Q_EMIT pairChanged();
    Q_EMIT weightsChanged();
}

void ClassMixer::rebuildPanel()
{
    for (auto* w : classSliders_)
        delete w;
    for (auto* w : percentLabels_)
        delete w;
    for (auto* w : nameLabels_)
        delete w;
    classSliders_.clear();
    percentLabels_.clear();
    nameLabels_.clear();
    for (int k = 0; k < names_.size(); ++k) {
        auto* percent = new QLabel;
        percent->setAlignment(Qt::AlignCenter);
        percent->setObjectName(QStringLiteral("percent%1").arg(k));
        auto* slider = new QSlider(Qt::Vertical);
        slider->setObjectName(QStringLiteral("classSlider%1").arg(k));
        slider->setRange(0, 100);
        slider->setPageStep(10);
        slider->setMinimumHeight(90);
        slider->setToolTip(tr("Weight of %1 before normalising").arg(names_[k]));
        auto* name = new QLabel(names_[k]);
        name->setAlignment(Qt::AlignCenter);
        name->setToolTip(names_[k]);
        name->setMaximumWidth(64);
        panelLayout_->addWidget(percent, 0, k);
        panelLayout_->addWidget(slider, 1, k, Qt::AlignHCenter);
        panelLayout_->addWidget(name, 2, k);
        connect(slider, &QSlider::valueChanged, this, [this] {
            if (updating_)
                return;
            changed();
        });
        classSliders_ << slider;
        percentLabels_ << percent;
        nameLabels_ << name;
    }
}

int ClassMixer::classA() const { return pickerA_->currentIndex(); }
int ClassMixer::classB() const { return pickerB_->currentIndex(); }
void ClassMixer::setClassA(int k) { pickerA_->setCurrentIndex(std::clamp(k, 0, classCount() - 1)); }
void ClassMixer::setClassB(int k) { pickerB_->setCurrentIndex(std::clamp(k, 0, classCount() - 1)); }
int ClassMixer::mixPercent() const { return pairSlider_->value(); }
void ClassMixer::setMixPercent(int percent) { pairSlider_->setValue(percent); }

ClassMixer::Source ClassMixer::source() const
{
    return tabs_->currentIndex() == 1 ? Source::AllClasses : Source::Pair;
}

void ClassMixer::setSource(Source source) { tabs_->setCurrentIndex(source == Source::AllClasses ? 1 : 0); }

QVector<int> ClassMixer::panelValues() const
{
    QVector<int> values;
    for (auto* s : classSliders_)
        values << s->value();
    return values;
}

void ClassMixer::setPanelValues(const QVector<int>& values)
{
    updating_ = true;
    for (int k = 0; k < classSliders_.size(); ++k)
        classSliders_[k]->setValue(values.value(k));
    updating_ = false;
    changed();
}

QVector<double> ClassMixer::pairWeights(double towardB) const
{
    QVector<double> w(classCount(), 0.0);
    if (w.isEmpty())
        return w;
    const double t = std::clamp(towardB, 0.0, 1.0);
    w[classA()] += 1.0 - t;
    w[classB()] += t;
    return w;
}

QVector<double> ClassMixer::panelWeights() const { return normalise(panelValues()); }

QVector<double> ClassMixer::weights() const
{
    return source() == Source::AllClasses ? panelWeights() : pairWeights(mixPercent() / 100.0);
}

QVector<double> ClassMixer::normalise(const QVector<int>& values)
{
    QVector<double> w(values.size(), 0.0);
    double total = 0.0;
    for (int v : values)
        total += std::max(0, v);
    for (int k = 0; k < values.size(); ++k)
        w[k] = total > 0.0 ? std::max(0, values[k]) / total : 1.0 / double(values.size());
    return w;
}

QVector<double> ClassMixer::percentages(const QVector<int>& values)
{
    // Largest remainder in tenths of a percent: the shown numbers add up to exactly 100.0.
    const auto w = normalise(values);
    const int n = int(w.size());
    QVector<int> tenths(n);
    QVector<double> remainder(n);
    int used = 0;
    for (int k = 0; k < n; ++k) {
        const double exact = w[k] * 1000.0;
        tenths[k] = int(std::floor(exact + 1e-9));
        remainder[k] = exact - tenths[k];
        used += tenths[k];
    }
    QVector<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return remainder[a] > remainder[b]; });
    for (int i = 0; n > 0 && used < 1000; ++i, ++used)
        tenths[order[i % n]] += 1;
    QVector<double> percent(n);
    for (int k = 0; k < n; ++k)
        percent[k] = tenths[k] / 10.0;
    return percent;
}

QString ClassMixer::describe(const QVector<double>& weights, const QStringList& names)
{
    QVector<int> order(weights.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return weights[a] > weights[b]; });
    QStringList parts;
    for (int k : order) {
        if (weights[k] < 0.0005)
            continue;
        const double percent = weights[k] * 100.0;
        const int decimals = std::abs(percent - std::round(percent)) < 0.05 ? 0 : 1;
        parts << QStringLiteral("%1% %2").arg(QString::number(percent, 'f', decimals), names.value(k, QString::number(k)));
    }
    return parts.join(QStringLiteral(" · "));
}

void ClassMixer::updateLabels()
{
    pairLabel_->setText(describe(pairWeights(mixPercent() / 100.0), names_));
    const auto percent = percentages(panelValues());
    for (int k = 0; k < percentLabels_.size(); ++k)
        percentLabels_[k]->setText(QString::number(percent[k], 'f', 1) + QLatin1Char('%'));
}

void ClassMixer::changed()
{
    if (updating_)
        return;
    updateLabels();
    Q_EMIT weightsChanged();
}

void ClassMixer::saveSettings(QSettings& s) const
{
    s.setValue(QStringLiteral("mixer/classA"), classA());
    s.setValue(QStringLiteral("mixer/classB"), classB());
    s.setValue(QStringLiteral("mixer/mix"), mixPercent());
    s.setValue(QStringLiteral("mixer/source"), source() == Source::AllClasses ? 1 : 0);
    QStringList values;
    for (int v : panelValues())
        values << QString::number(v);
    s.setValue(QStringLiteral("mixer/panel"), values.join(QLatin1Char(',')));
}

void ClassMixer::restoreSettings(const QSettings& s)
{
    updating_ = true;
    setClassA(s.value(QStringLiteral("mixer/classA"), classA()).toInt());
    setClassB(s.value(QStringLiteral("mixer/classB"), classB()).toInt());
    setMixPercent(s.value(QStringLiteral("mixer/mix"), mixPercent()).toInt());
    setSource(s.value(QStringLiteral("mixer/source"), 0).toInt() == 1 ? Source::AllClasses : Source::Pair);
    const auto parts = s.value(QStringLiteral("mixer/panel")).toString().split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (parts.size() == classSliders_.size())
        for (int k = 0; k < parts.size(); ++k)
            classSliders_[k]->setValue(parts[k].toInt());
    updating_ = false;
    updateLabels();
}

}  // namespace pixelmix::ui
