#pragma once
// MainWindow: the studio. Two tabs — "Sample" (the streaming canvas) and "Train" (TrainingPanel) —
// and the class mixer with temperature and seed in a dock. It owns the Worker and turns every
// control change into a worker request at once; results are drawn only for the newest request id.
//
// Sampling views:
//   Strip (default): `count` images across the continuum from 100% A to 100% B (image k has weight
//     k/(count-1) on B), plus a large "focus" image at the mixer's current weights. All share one
//     noise field (SampleRequest::sharedNoise), so the strip is one digit morphing and the focus image
//     is that digit at the slider's mix. With `rows` > 1 the strip is drawn again under itself with
//     the seeds seed + 1, seed + 2, ... (one noise field per row; the focus image uses row 0's).
//     Under the strip, the posterior plot: what the model reads in each image (p(A | x), p(B | x))
//     and its bits/dim, measured by the worker after the picture is finished.
//   Same weights: `count` images, all at the mixer's weights, each with its own noise (one seed).
// The seed changes only through the seed box or "New seed", never while dragging, so what changes
// under a dragged slider is the weights, not the noise. The pair buttons (1 / 7, 3 / 8, 4 / 9,
// 5 / 6: the pairs of the original study) show a pair's 11-step strip in one click.
#include "worker.h"

#include <QMainWindow>
#include <QPointer>

#include <array>
#include <memory>
#include <utility>

class QAction;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QMenu;
class QProgressBar;
class QSettings;
class QSlider;
class QSpinBox;
class QTabWidget;
class QDockWidget;

namespace pixelmix::ui {

class ClassMixer;
class PosteriorChart;
class ProgressAnimation;
class SampleCanvas;
class TrainingPanel;

struct MainWindowOptions {
    // Loaded at start when no last checkpoint is remembered (or preferStartupCheckpoint).
    QString startupCheckpoint = QStringLiteral(":/pretrained/mnist.pt");
    bool preferStartupCheckpoint = false;
    QString settingsFile;  // empty: the application's QSettings; else an INI file (tests)
    bool restoreSettings = true;
    int pacingMs = 600;    // see SampleCanvas
    QString runsDir;       // empty: AppLocalDataLocation/runs
    QString showPair;      // "A-B": once the first model is loaded, show that pair as its button does
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    enum class View { Strip, SameWeights };

    explicit MainWindow(const MainWindowOptions& options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    Worker* worker() const { return worker_; }
    ClassMixer* mixer() const { return mixer_; }
    SampleCanvas* canvas() const { return canvas_; }
    SampleCanvas* focusCanvas() const { return focus_; }
    TrainingPanel* trainingPanel() const { return training_; }
    QDoubleSpinBox* temperatureBox() const { return temperature_; }
    QSpinBox* seedBox() const { return seed_; }
    QSpinBox* countBox() const { return count_; }
    QSpinBox* rowsBox() const { return rows_; }
    PosteriorChart* posteriorChart() const { return posteriorChart_; }
    QComboBox* viewBox() const { return view_; }
    QTabWidget* tabs() const { return tabs_; }
    QLabel* statusLabel() const { return statusText_; }
    QAction* action(const QString& objectName) const;

    View view() const;
    void setView(View view);
    bool hasModel() const { return hasModel_; }
    // The request resample() would send now.
    SampleJob currentSampleJob() const;
    quint64 currentSampleId() const { return currentSampleId_; }
    SampleJob lastSampleJob() const { return lastJob_; }
    int staleDropped() const { return staleDropped_; }
    // The training job Start sends: the panel's settings, a fresh output folder.
    TrainJob trainingJob() const;
    QString modelPath() const { return modelPath_; }
    QStringList recentCheckpoints() const { return recent_; }
    const ProgressAnimation& animation() const { return *animation_; }
    // The picture "Save image" and "Copy" use: the Train tab's grid when that tab is shown and has
    // one, else the sample canvas (the strip or the grid of images), 1:1 in make_grid layout.
    QImage currentImage() const;

    static constexpr int kUpscale = 4;  // the enlarged copy of saved and copied images
    // The between-class pairs of the original study, one button each (object name "pairA-B").
    static constexpr std::array<std::pair<int, int>, 4> kStudyPairs{{{1, 7}, {3, 8}, {4, 9}, {5, 6}}};
    static constexpr int kPairSteps = 11;  // a pair button's strip: weights 1-0, 0.9-0.1, ..., 0-1

public Q_SLOTS:
    void resample();
    void newSeed();
    // What a pair button does: the Sample tab, the strip view, kPairSteps images from 100% a to
    // 100% b (the rows as they are), one request.
    void showPair(int a, int b);
    void openCheckpoint(const QString& path);
    void saveCheckpointTo(const QString& path);
    // Writes `path` at 1:1 and `<name>@4x.<ext>` upscaled beside it.
    bool saveImage(const QString& path, QString* error = nullptr);
    // The posterior plot of the shown strip as a PNG.
    bool savePosteriorChart(const QString& path, QString* error = nullptr);
    void copyImage();
    // A path ending in .gif writes an animated GIF; anything else a folder of PNG frames.
    bool exportAnimation(const QString& path, QString* error = nullptr);
    void startTraining(const pixelmix::ui::TrainJob& job);
    void startTrainingFromPanel();
    void pauseOrResumeTraining();
    void stopTraining();
    void requestGrid();

Q_SIGNALS:
    void sampleRequested(quint64 id, const pixelmix::ui::SampleJob& job);
    void sampleShown(quint64 id);  // the result of request `id` is complete on the canvas

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildControls();
    void buildMenus();
    void connectWorker();
    void onSampleProgress(quint64 id, int row, int col, const LevelsBlock& levels);
    void onSampleFinished(quint64 id, const LevelsBlock& levels, const QVector<ImageInfo>& info);
    void onPosteriorReady(quint64 id, const QVector<ImageInfo>& info);
    int stripImageCount() const;  // the canvas's images: count, times rows in the strip view
    void onModelChanged(const ModelInfo& info);
    void onTrainingState(Worker::TrainingState state);
    void onEpoch(const EpochInfo& info);
    void updateStateLabel();
    void showStatus(const QString& message);
    void showError(const QString& message);
    void addRecent(const QString& path);
    void rebuildRecentMenu();
    void updateCanvasLayout();
    void openDialog();
    // A save dialog in the last folder; the suggested name's suffix is added when the path has
    // none. Empty when cancelled.
    QString askSavePath(const QString& title, const QString& suggestedName, const QString& filter);
    void saveCheckpointDialog();
    void saveImageDialog();
    void savePosteriorChartDialog();
    void exportAnimationDialog();
    void showShortcuts();
    std::unique_ptr<QSettings> settings() const;
    void saveSettings();
    void restoreSettings();
    QString defaultRunDir() const;

    MainWindowOptions options_;
    Worker* worker_ = nullptr;
    ClassMixer* mixer_ = nullptr;
    SampleCanvas* canvas_ = nullptr;
    SampleCanvas* focus_ = nullptr;
    QLabel* focusCaption_ = nullptr;
    QLabel* noModel_ = nullptr;
    QProgressBar* sampleBar_ = nullptr;
    TrainingPanel* training_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    QDockWidget* mixerDock_ = nullptr;
    QComboBox* view_ = nullptr;
    QSpinBox* count_ = nullptr;
    QSpinBox* rows_ = nullptr;
    PosteriorChart* posteriorChart_ = nullptr;
    QWidget* underStrip_ = nullptr;  // the posterior chart and the focus image
    QDoubleSpinBox* temperature_ = nullptr;
    QSlider* temperatureSlider_ = nullptr;
    QSpinBox* seed_ = nullptr;
    QLabel* statusText_ = nullptr;
    QLabel* modelLabel_ = nullptr;
    QLabel* stateLabel_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    std::unique_ptr<ProgressAnimation> animation_;

    bool hasModel_ = false;
    bool settingControls_ = false;  // several controls change at once: one request afterwards, not one each
    bool startPending_ = false;     // Start asked, the worker has not answered yet
    QString pendingPair_;           // MainWindowOptions::showPair until the first model is loaded
    quint64 currentSampleId_ = 0;
    SampleJob lastJob_;
    int staleDropped_ = 0;
    QString modelPath_;
    QStringList classNames_;
    QStringList recent_;
    QString lastDir_;
    Worker::TrainingState trainingState_ = Worker::TrainingState::Idle;
};

}  // namespace pixelmix::ui
