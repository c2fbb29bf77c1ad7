#pragma once
// TrainingPanel: what to train (dataset picker, the main ModelConfig / TrainConfig fields), the
// Start / Pause / Resume / Stop buttons, a progress bar with ETA and images/s, the live loss plot
// and the live grid of samples (5 per class) refreshed every epoch and on demand.
// It only shows and asks; the window turns its signals into worker requests.
#include "worker.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSettings;
class QSpinBox;
class QSplitter;

namespace pixelmix::ui {

class ImageView;
class LossPlot;

class TrainingPanel : public QWidget {
    Q_OBJECT
public:
    explicit TrainingPanel(QWidget* parent = nullptr);

    QString dataset() const;  // "mnist", "fashion-mnist" or a folder
    void setDataset(const QString& dataset);
    ModelConfig modelConfig() const;
    TrainConfig trainConfig() const;
    void setConfigs(const ModelConfig& model, const TrainConfig& train);
    int trainImages() const;  // use only the first N training images (0 = all)
    void setTrainImages(int count);
    bool continueFromCheckpoint() const;
    void setCheckpointAvailable(const QString& path);  // enables "continue from this checkpoint"

    void setTrainingState(Worker::TrainingState state);
    void showStep(const StepInfo& info);
    void showEpoch(const EpochInfo& info);
    void showGrid(const QImage& grid, int epoch);
    void showModel(const ModelInfo& info);  // history into the plot, grid cleared
    void showError(const QString& message);

    LossPlot* lossPlot() const { return plot_; }
    ImageView* gridView() const { return grid_; }
    QImage currentGrid() const;
    QProgressBar* progressBar() const { return progress_; }
    QLabel* rateLabel() const { return rate_; }
    QPushButton* startButton() const { return start_; }
    QPushButton* pauseButton() const { return pause_; }
    QPushButton* resumeButton() const { return resume_; }
    QPushButton* stopButton() const { return stop_; }
    QPushButton* refreshButton() const { return refresh_; }
    QSplitter* splitter() const { return splitter_; }

    void saveSettings(QSettings& settings) const;
    void restoreSettings(const QSettings& settings);

    static QString formatDuration(double seconds);

Q_SIGNALS:
    void startRequested();
    void pauseRequested();
    void resumeRequested();
    void stopRequested();
    void gridRequested();

private:
    void pickFolder();

    QComboBox* dataset_ = nullptr;
    QSpinBox* channels_ = nullptr;
    QSpinBox* layers_ = nullptr;
    QSpinBox* kernel_ = nullptr;
    QSpinBox* levels_ = nullptr;
    QSpinBox* spatial_ = nullptr;
    QDoubleSpinBox* dropout_ = nullptr;
    QSpinBox* batch_ = nullptr;
    QDoubleSpinBox* learningRate_ = nullptr;
    QSpinBox* epochs_ = nullptr;
    QDoubleSpinBox* minutes_ = nullptr;
    QCheckBox* augment_ = nullptr;
    QSpinBox* threads_ = nullptr;
    QSpinBox* seed_ = nullptr;
    QSpinBox* validation_ = nullptr;
    QSpinBox* trainImages_ = nullptr;
    QCheckBox* continue_ = nullptr;
    QPushButton* start_ = nullptr;
    QPushButton* pause_ = nullptr;
    QPushButton* resume_ = nullptr;
    QPushButton* stop_ = nullptr;
    QPushButton* refresh_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* rate_ = nullptr;
    QLabel* error_ = nullptr;
    LossPlot* plot_ = nullptr;
    ImageView* grid_ = nullptr;
    QSplitter* splitter_ = nullptr;
    QString checkpoint_;
    qint64 batchSize_ = 32;
};

}  // namespace pixelmix::ui
