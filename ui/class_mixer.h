#pragma once
// The class mixer: what the conditioning vector of the samples is.
//   "Two classes": pickers A and B (labels from the dataset) and a slider from 100% A to 100% B.
//   "All classes": one slider per class; the weights are the sliders normalised to sum to 1, and
//                  each is shown as a percentage (the shown percentages always add up to 100.0).
// The active tab is the source of weights(). Any change emits weightsChanged() at once; the window
// turns it into a sample request (the worker cancels the previous one).
#include <QStringList>
#include <QVector>
#include <QWidget>

class QComboBox;
class QLabel;
class QSlider;
class QTabWidget;
class QGridLayout;
class QSettings;

namespace pixelmix::ui {

class ClassMixer : public QWidget {
    Q_OBJECT
public:
    enum class Source { Pair, AllClasses };

    explicit ClassMixer(QWidget* parent = nullptr);

    // Rebuilds pickers and sliders for these labels, keeping selections where the count allows.
    void setClassNames(const QStringList& names);
    QStringList classNames() const { return names_; }
    int classCount() const { return int(names_.size()); }

    int classA() const;
    int classB() const;
    void setClassA(int k);
    void setClassB(int k);
    int mixPercent() const;  // 0 = 100% A, 100 = 100% B
    void setMixPercent(int percent);
    Source source() const;
    void setSource(Source source);
    QVector<int> panelValues() const;  // raw slider positions, 0..100
    void setPanelValues(const QVector<int>& values);

    // The weights of the active source, normalised, one per class.
    QVector<double> weights() const;
    // (1 - t) on A and t on B (all on A when A == B).
    QVector<double> pairWeights(double towardB) const;
    // The all-classes panel, normalised.
    QVector<double> panelWeights() const;

    // values / sum(values); all zero means "no preference": uniform.
    static QVector<double> normalise(const QVector<int>& values);
    // normalise() as percentages rounded to 0.1 by largest remainder, so they sum to exactly 100.
    static QVector<double> percentages(const QVector<int>& values);
    // "70% 4 · 30% 9": the non-zero weights, largest first.
    static QString describe(const QVector<double>& weights, const QStringList& names);

    QComboBox* pickerA() const { return pickerA_; }
    QComboBox* pickerB() const { return pickerB_; }
    QSlider* pairSlider() const { return pairSlider_; }
    QSlider* classSlider(int k) const { return classSliders_.value(k); }
    QLabel* percentLabel(int k) const { return percentLabels_.value(k); }
    QTabWidget* tabs() const { return tabs_; }

    void saveSettings(QSettings& settings) const;
    void restoreSettings(const QSettings& settings);

Q_SIGNALS:
    void weightsChanged();
    void pairChanged();  // A or B picked: the strip's ends moved

private:
    void rebuildPanel();
    void updateLabels();
    void changed();

    QStringList names_;
    QTabWidget* tabs_ = nullptr;
    QComboBox* pickerA_ = nullptr;
    QComboBox* pickerB_ = nullptr;
    QSlider* pairSlider_ = nullptr;
    QLabel* pairLabel_ = nullptr;
    QWidget* panel_ = nullptr;
    QGridLayout* panelLayout_ = nullptr;
    QVector<QSlider*> classSliders_;
    QVector<QLabel*> percentLabels_;
    QVector<QLabel*> nameLabels_;
    bool updating_ = false;  // suppresses signals while rebuilding
};

}  // namespace pixelmix::ui
