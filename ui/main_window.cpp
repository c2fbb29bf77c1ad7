#include "main_window.h"

#include "class_mixer.h"
#include "error.h"
#include "loss_plot.h"
#include "posterior_chart.h"
#include "progress_animation.h"
#include "sample_canvas.h"
#include "strip_curves.h"
#include "training_panel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

#include <cmath>
#include <utility>

namespace pixelmix::ui {

namespace {
constexpr int kMaxRecent = 8;
constexpr int kMaxPerRow = 16;
constexpr int kTabSample = 0;
constexpr int kTabTrain = 1;

QString stateText(Worker::TrainingState state)
{
    switch (state) {
    case Worker::TrainingState::Running: return QObject::tr("training");
    case Worker::TrainingState::Paused: return QObject::tr("paused");
    default: return QObject::tr("idle");
    }
}

QString pairButtonName(int a, int b) { return QStringLiteral("pair%1").arg(pairName(a, b)); }

QString shownPath(const QString& path)
{
    return path.startsWith(QLatin1String(":/")) ? QObject::tr("built-in %1").arg(QFileInfo(path).fileName())
                                                 : QDir::toNativeSeparators(path);
}
}  // namespace

MainWindow::MainWindow(const MainWindowOptions& options, QWidget* parent)
    : QMainWindow(parent),
      options_(options),
      animation_(std::make_unique<ProgressAnimation>()),
      pendingPair_(options.showPair)
{
    setWindowTitle(tr("PixelMix"));
    setObjectName(QStringLiteral("MainWindow"));
    worker_ = new Worker(this);
    buildControls();
    buildMenus();
    connectWorker();
    restoreSettings();

    // The first model: the one used last time if it still exists, else the built-in one.
    auto s = settings();
    QString first = options_.startupCheckpoint;
    const QString last = s->value(QStringLiteral("model/last")).toString();
    if (options_.restoreSettings && !options_.preferStartupCheckpoint && !last.isEmpty() &&
        (last.startsWith(QLatin1String(":/")) || QFileInfo::exists(last)))
        first = last;
    if (!first.isEmpty())
        openCheckpoint(first);
    else
        showStatus(tr("No model: open a checkpoint (Ctrl+O) or train one"));
}

MainWindow::~MainWindow()
{
    worker_->shutdown();
    worker_->wait();
}

// ---------------------------------------------------------------------------------------------
// Construction

void MainWindow::buildControls()
{
    // --- the Sample tab ---
    canvas_ = new SampleCanvas;
    canvas_->setObjectName(QStringLiteral("sampleCanvas"));
    canvas_->setPacing(options_.pacingMs);
    canvas_->setMinimumZoom(2);
    focus_ = new SampleCanvas;
    focus_->setObjectName(QStringLiteral("focusCanvas"));
    focus_->setPacing(options_.pacingMs);
    focus_->setMinimumZoom(6);
    focusCaption_ = new QLabel;
    focusCaption_->setAlignment(Qt::AlignCenter);
    focusCaption_->setWordWrap(true);
    noModel_ = new QLabel(tr("No model loaded. Open a checkpoint (Ctrl+O) or train one in the Train tab."));
    noModel_->setAlignment(Qt::AlignCenter);
    noModel_->setWordWrap(true);
    noModel_->hide();
    sampleBar_ = new QProgressBar;
    sampleBar_->setObjectName(QStringLiteral("sampleProgress"));
    sampleBar_->setRange(0, 784);
    sampleBar_->setFormat(tr("pixel %v of %m"));
    sampleBar_->setMaximumHeight(18);

    posteriorChart_ = new PosteriorChart;
    posteriorChart_->setObjectName(QStringLiteral("posterior"));

    // The strip on top at its own height; under it, taking the rest, the posterior plot with the
    // focus image beside it. The same-weights view hides them and the canvas takes everything.
    auto* focusColumn = new QVBoxLayout;
    focusColumn->addWidget(focusCaption_);
    focusColumn->addWidget(focus_, 1);
    underStrip_ = new QWidget;
    auto* underStripLayout = new QHBoxLayout(underStrip_);
    underStripLayout->setContentsMargins(0, 0, 0, 0);
    underStripLayout->addWidget(posteriorChart_, 3);
    underStripLayout->addLayout(focusColumn, 2);
    auto* samplePage = new QWidget;
    auto* sampleLayout = new QVBoxLayout(samplePage);
    sampleLayout->addWidget(noModel_);
    sampleLayout->addWidget(canvas_);
    sampleLayout->addWidget(underStrip_, 1);
    sampleLayout->addWidget(sampleBar_);

    training_ = new TrainingPanel;
    training_->setObjectName(QStringLiteral("trainingPanel"));

    tabs_ = new QTabWidget;
    tabs_->setObjectName(QStringLiteral("tabs"));
    tabs_->addTab(samplePage, tr("&Sample"));
    tabs_->addTab(training_, tr("&Train"));
    setCentralWidget(tabs_);

    // --- the mixer dock ---
    mixer_ = new ClassMixer;
    mixer_->setObjectName(QStringLiteral("classMixer"));
    view_ = new QComboBox;
    view_->setObjectName(QStringLiteral("view"));
    view_->addItem(tr("Strip: A → B"));
    view_->addItem(tr("Same weights, varied noise"));
    view_->setToolTip(tr("Strip: images across the mix from 100% A to 100% B, one shared noise (Ctrl+M)\n"
                         "Same weights: every image at the mixer's weights, each with its own noise"));
    count_ = new QSpinBox;
    count_->setObjectName(QStringLiteral("count"));
    count_->setRange(1, 64);
    count_->setValue(11);
    count_->setToolTip(tr("Number of images (in the strip: per row)"));
    rows_ = new QSpinBox;
    rows_->setObjectName(QStringLiteral("rows"));
    rows_->setRange(1, 8);
    rows_->setValue(1);
    rows_->setToolTip(tr("Rows of the strip, one seed each: seed, seed + 1, …"));
    temperature_ = new QDoubleSpinBox;
    temperature_->setObjectName(QStringLiteral("temperature"));
    temperature_->setRange(0.0, 2.0);
    temperature_->setSingleStep(0.05);
    temperature_->setDecimals(2);
    temperature_->setValue(1.0);
    temperature_->setToolTip(tr("Divides the logits: lower is more typical, 0 takes the most likely level"));
    temperatureSlider_ = new QSlider(Qt::Horizontal);
    temperatureSlider_->setRange(0, 200);
    temperatureSlider_->setValue(100);
    seed_ = new QSpinBox;
    seed_->setObjectName(QStringLiteral("seed"));
    seed_->setRange(0, 2147483647);
    seed_->setValue(1);
    seed_->setToolTip(tr("Seeds the noise; it stays fixed while sliders move"));
    auto* newSeedButton = new QPushButton(tr("New seed"));
    newSeedButton->setObjectName(QStringLiteral("newSeed"));
    newSeedButton->setToolTip(tr("Draw a new noise field (Ctrl+N)"));
    auto* resampleButton = new QPushButton(tr("Resample"));
    resampleButton->setToolTip(tr("Sample again with the same settings (F5)"));

    auto* sampling = new QGroupBox(tr("Sampling"));
    auto* form = new QFormLayout(sampling);
    form->addRow(tr("View"), view_);
    form->addRow(tr("Images"), count_);
    form->addRow(tr("Rows"), rows_);
    auto* temperatureRow = new QHBoxLayout;
    temperatureRow->addWidget(temperatureSlider_, 1);
    temperatureRow->addWidget(temperature_);
    form->addRow(tr("Temperature"), temperatureRow);
    auto* seedRow = new QHBoxLayout;
    seedRow->addWidget(seed_, 1);
    seedRow->addWidget(newSeedButton);
    form->addRow(tr("Seed"), seedRow);
    form->addRow(resampleButton);

    auto* pairs = new QGroupBox(tr("Between two classes"));
    auto* pairRow = new QHBoxLayout(pairs);
    for (const auto& [a, b] : kStudyPairs) {
        auto* button = new QPushButton(QStringLiteral("%1 / %2").arg(a).arg(b));
        button->setObjectName(pairButtonName(a, b));
        button->setToolTip(tr("The strip from 100% %1 to 100% %2 in %3 steps, with its posterior").arg(a).arg(b).arg(kPairSteps));
        connect(button, &QPushButton::clicked, this, [this, a = a, b = b] { showPair(a, b); });
        pairRow->addWidget(button);
    }

    auto* dockBody = new QWidget;
    auto* dockLayout = new QVBoxLayout(dockBody);
    dockLayout->addWidget(mixer_);
    dockLayout->addWidget(sampling);
    dockLayout->addWidget(pairs);
    dockLayout->addStretch();
    mixerDock_ = new QDockWidget(tr("Class mixer"), this);
    mixerDock_->setObjectName(QStringLiteral("mixerDock"));
    mixerDock_->setWidget(dockBody);
    addDockWidget(Qt::LeftDockWidgetArea, mixerDock_);

    // --- status bar ---
    statusText_ = new QLabel;
    statusText_->setObjectName(QStringLiteral("statusText"));
    statusText_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    modelLabel_ = new QLabel;
    stateLabel_ = new QLabel(stateText(Worker::TrainingState::Idle));
    statusBar()->addWidget(statusText_, 1);
    statusBar()->addPermanentWidget(modelLabel_);
    statusBar()->addPermanentWidget(stateLabel_);

    // --- every control change is a request, at once ---
    connect(mixer_, &ClassMixer::weightsChanged, this, &MainWindow::resample);
    connect(view_, &QComboBox::currentIndexChanged, this, [this] {
        updateCanvasLayout();
        resample();
    });
    for (QSpinBox* box : {count_, rows_})
        connect(box, &QSpinBox::valueChanged, this, [this] {
            updateCanvasLayout();
            resample();
        });
    connect(temperature_, &QDoubleSpinBox::valueChanged, this, [this](double t) {
        const QSignalBlocker block(temperatureSlider_);
        temperatureSlider_->setValue(int(std::lround(t * 100.0)));
        resample();
    });
    connect(temperatureSlider_, &QSlider::valueChanged, this,
            [this](int v) { temperature_->setValue(v / 100.0); });
    connect(seed_, &QSpinBox::valueChanged, this, &MainWindow::resample);
    connect(newSeedButton, &QPushButton::clicked, this, &MainWindow::newSeed);
    connect(resampleButton, &QPushButton::clicked, this, &MainWindow::resample);

    connect(canvas_, &SampleCanvas::progressChanged, this, [this](int revealed, int total) {
        sampleBar_->setMaximum(std::max(1, total));
        sampleBar_->setValue(revealed);
        updateStateLabel();
    });
    connect(canvas_, &SampleCanvas::completed, this, [this](quint64 id) {
        updateStateLabel();
        if (view() == View::SameWeights || focus_->isComplete())
            Q_EMIT sampleShown(id);
    });
    connect(focus_, &SampleCanvas::completed, this, [this](quint64 id) {
        if (canvas_->isComplete())
            Q_EMIT sampleShown(id);
    });

    connect(training_, &TrainingPanel::startRequested, this, &MainWindow::startTrainingFromPanel);
    connect(training_, &TrainingPanel::pauseRequested, worker_, &Worker::pauseTraining);
    connect(training_, &TrainingPanel::resumeRequested, worker_, &Worker::resumeTraining);
    connect(training_, &TrainingPanel::stopRequested, this, &MainWindow::stopTraining);
    connect(training_, &TrainingPanel::gridRequested, this, &MainWindow::requestGrid);

    updateCanvasLayout();
}

void MainWindow::buildMenus()
{
    auto add = [this](QMenu* menu, const QString& name, const QString& text, const QKeySequence& key,
                      auto slot) {
        auto* a = menu->addAction(text);
        a->setObjectName(name);
        if (!key.isEmpty())
            a->setShortcut(key);
        connect(a, &QAction::triggered, this, slot);
        return a;
    };

    QMenu* file = menuBar()->addMenu(tr("&File"));
    add(file, QStringLiteral("openCheckpoint"), tr("&Open checkpoint…"), QKeySequence::Open, [this] { openDialog(); });
    recentMenu_ = file->addMenu(tr("Open &recent"));
    add(file, QStringLiteral("saveCheckpoint"), tr("&Save checkpoint…"), QKeySequence::Save,
        [this] { saveCheckpointDialog(); });
    file->addSeparator();
    add(file, QStringLiteral("saveImage"), tr("Save &image…"), QKeySequence(tr("Ctrl+Shift+S")),
        [this] { saveImageDialog(); });
    add(file, QStringLiteral("savePosteriorChart"), tr("Save &posterior plot…"), QKeySequence(),
        [this] { savePosteriorChartDialog(); });
    add(file, QStringLiteral("copyImage"), tr("&Copy image"), QKeySequence::Copy, [this] { copyImage(); });
    add(file, QStringLiteral("exportAnimation"), tr("&Export training animation…"), QKeySequence(tr("Ctrl+E")),
        [this] { exportAnimationDialog(); });
    file->addSeparator();
    add(file, QStringLiteral("quit"), tr("&Quit"), QKeySequence::Quit, [this] { close(); });

    QMenu* sample = menuBar()->addMenu(tr("&Sample"));
    add(sample, QStringLiteral("resample"), tr("&Resample"), QKeySequence(Qt::Key_F5), [this] { resample(); });
    add(sample, QStringLiteral("newSeed"), tr("&New seed"), QKeySequence::New, [this] { newSeed(); });
    add(sample, QStringLiteral("toggleView"), tr("Toggle strip / same &weights"), QKeySequence(tr("Ctrl+M")),
        [this] { setView(view() == View::Strip ? View::SameWeights : View::Strip); });
    add(sample, QStringLiteral("towardA"), tr("Mix toward &A"), QKeySequence(tr("Ctrl+Left")),
        [this] { mixer_->setMixPercent(mixer_->mixPercent() - 10); });
    add(sample, QStringLiteral("towardB"), tr("Mix toward &B"), QKeySequence(tr("Ctrl+Right")),
        [this] { mixer_->setMixPercent(mixer_->mixPercent() + 10); });
    add(sample, QStringLiteral("colder"), tr("&Colder"), QKeySequence(tr("Ctrl+Down")),
        [this] { temperature_->setValue(temperature_->value() - 0.1); });
    add(sample, QStringLiteral("hotter"), tr("&Hotter"), QKeySequence(tr("Ctrl+Up")),
        [this] { temperature_->setValue(temperature_->value() + 0.1); });

    QMenu* train = menuBar()->addMenu(tr("&Training"));
    add(train, QStringLiteral("startTraining"), tr("&Start"), QKeySequence(tr("Ctrl+T")),
        [this] { startTrainingFromPanel(); });
    add(train, QStringLiteral("pauseTraining"), tr("&Pause / resume"), QKeySequence(tr("Ctrl+P")),
        [this] { pauseOrResumeTraining(); });
    add(train, QStringLiteral("stopTraining"), tr("S&top"), QKeySequence(tr("Ctrl+Shift+T")),
        [this] { stopTraining(); });
    add(train, QStringLiteral("drawGrid"), tr("&Draw samples now"), QKeySequence(tr("Ctrl+G")),
        [this] { requestGrid(); });
    add(train, QStringLiteral("logScale"), tr("&Log scale"), QKeySequence(tr("Ctrl+L")),
        [this] { training_->lossPlot()->setLogScale(!training_->lossPlot()->logScale()); });

    QMenu* viewMenu = menuBar()->addMenu(tr("&View"));
    add(viewMenu, QStringLiteral("showSample"), tr("&Sample tab"), QKeySequence(tr("Ctrl+1")),
        [this] { tabs_->setCurrentIndex(kTabSample); });
    add(viewMenu, QStringLiteral("showTrain"), tr("&Train tab"), QKeySequence(tr("Ctrl+2")),
        [this] { tabs_->setCurrentIndex(kTabTrain); });
    viewMenu->addAction(mixerDock_->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    add(help, QStringLiteral("shortcuts"), tr("&Keyboard shortcuts"), QKeySequence::HelpContents,
        [this] { showShortcuts(); });
    add(help, QStringLiteral("about"), tr("&About PixelMix"), QKeySequence(), [this] {
        QMessageBox::about(this, tr("About PixelMix"),
                           tr("<b>PixelMix</b> %1<br>Class-conditional gated PixelCNNs on MNIST: mix classes, "
                              "watch samples form pixel by pixel, train and compare.")
                               .arg(QApplication::applicationVersion()));
    });
    rebuildRecentMenu();
}

void MainWindow::connectWorker()
{
    connect(worker_, &Worker::sampleProgress, this, &MainWindow::onSampleProgress);
    connect(worker_, &Worker::sampleFinished, this, &MainWindow::onSampleFinished);
    connect(worker_, &Worker::posteriorReady, this, &MainWindow::onPosteriorReady);
    connect(worker_, &Worker::modelChanged, this, &MainWindow::onModelChanged);
    connect(worker_, &Worker::trainingStateChanged, this, &MainWindow::onTrainingState);
    connect(worker_, &Worker::trainingStep, training_, &TrainingPanel::showStep);
    connect(worker_, &Worker::epochFinished, this, &MainWindow::onEpoch);
    connect(worker_, &Worker::gridReady, this, [this](quint64, const QImage& grid, int epoch) {
        training_->showGrid(grid, epoch);
    });
    connect(worker_, &Worker::checkpointSaved, this, [this](quint64, const QString& path) { addRecent(path); });
    connect(worker_, &Worker::status, this, &MainWindow::showStatus);
    connect(worker_, &Worker::error, this, &MainWindow::showError);
}

QAction* MainWindow::action(const QString& objectName) const { return findChild<QAction*>(objectName); }

// ---------------------------------------------------------------------------------------------
// Sampling

MainWindow::View MainWindow::view() const { return view_->currentIndex() == 1 ? View::SameWeights : View::Strip; }

void MainWindow::setView(View v) { view_->setCurrentIndex(v == View::SameWeights ? 1 : 0); }

int MainWindow::stripImageCount() const
{
    return view() == View::Strip ? count_->value() * rows_->value() : count_->value();
}

void MainWindow::updateCanvasLayout()
{
    canvas_->setImagesPerRow(std::min(count_->value(), kMaxPerRow));
    canvas_->setImageRange(0, stripImageCount());
    const bool strip = view() == View::Strip;
    underStrip_->setVisible(strip);
    focus_->setImageRange(stripImageCount(), 1);
    rows_->setEnabled(strip);
}

SampleJob MainWindow::currentSampleJob() const
{
    SampleJob job;
    job.temperature = temperature_->value();
    job.seed = quint64(seed_->value());
    const int n = count_->value();
    const auto mix = mixer_->weights();
    if (view() == View::Strip) {
        job.sharedNoise = true;
        job.posterior = true;
        for (int row = 0; row < rows_->value(); ++row)
            for (int k = 0; k < n; ++k) {
                job.weights << mixer_->pairWeights(n > 1 ? double(k) / double(n - 1) : 0.0);
                job.noiseSeeds << job.seed + quint64(row);
            }
        job.weights << mix;  // the focus image, in row 0's noise
        job.noiseSeeds << job.seed;
    } else {
        job.sharedNoise = false;
        for (int k = 0; k < n; ++k)
            job.weights << mix;
    }
    return job;
}

void MainWindow::resample()
{
    if (!hasModel_ || settingControls_)
        return;
    const SampleJob job = currentSampleJob();
    const quint64 id = worker_->requestSample(job);
    currentSampleId_ = id;
    lastJob_ = job;
    canvas_->begin(id, int(job.weights.size()));
    focus_->begin(id, int(job.weights.size()));
    if (view() == View::Strip) {
        focusCaption_->setText(tr("Focus: %1").arg(ClassMixer::describe(mixer_->weights(), classNames_)));
        posteriorChart_->begin(id, mixer_->classA(), mixer_->classB(), count_->value());
    }
    Q_EMIT sampleRequested(id, job);
}

void MainWindow::newSeed() { seed_->setValue(int(QRandomGenerator::global()->bounded(2147483647))); }

void MainWindow::showPair(int a, int b)
{
    if (a < 0 || b < 0 || std::max(a, b) >= mixer_->classCount() || a == b) {
        showError(tr("The model has no pair %1").arg(pairName(a, b)));
        return;
    }
    settingControls_ = true;
    tabs_->setCurrentIndex(kTabSample);
    setView(View::Strip);
    count_->setValue(kPairSteps);
    mixer_->setSource(ClassMixer::Source::Pair);
    mixer_->setClassA(a);
    mixer_->setClassB(b);
    settingControls_ = false;
    updateCanvasLayout();
    resample();
}

void MainWindow::onSampleProgress(quint64 id, int row, int col, const LevelsBlock& levels)
{
    if (id != currentSampleId_) {  // an older request's pixels: never drawn
        ++staleDropped_;
        return;
    }
    canvas_->updateProgress(id, row, col, levels);
    focus_->updateProgress(id, row, col, levels);
}

void MainWindow::onSampleFinished(quint64 id, const LevelsBlock& levels, const QVector<ImageInfo>& info)
{
    if (id != currentSampleId_) {
        ++staleDropped_;
        return;
    }
    canvas_->finish(id, levels, info);
    focus_->finish(id, levels, info);
    if (view() == View::Strip && levels.count > 0 && info.size() == levels.count)
        focusCaption_->setText(tr("Focus: %1 — %2 bits/dim")
                                   .arg(ClassMixer::describe(info.last().weights, classNames_))
                                   .arg(info.last().bitsPerDim, 0, 'f', 3));
}

void MainWindow::onPosteriorReady(quint64 id, const QVector<ImageInfo>& info)
{
    if (id != currentSampleId_) {
        ++staleDropped_;
        return;
    }
    if (view() != View::Strip || info.size() != stripImageCount() + 1)
        return;
    posteriorChart_->showPosterior(id, info.mid(0, stripImageCount()));
    const auto& focus = info.last();
    const auto top = std::max_element(focus.posterior.begin(), focus.posterior.end());
    if (top != focus.posterior.end())
        focusCaption_->setText(tr("Focus: %1 — %2 bits/dim\nreads as %3 (p = %4)")
                                   .arg(ClassMixer::describe(focus.weights, classNames_))
                                   .arg(focus.bitsPerDim, 0, 'f', 3)
                                   .arg(classNames_.value(int(top - focus.posterior.begin())))
                                   .arg(*top, 0, 'f', 2));
}

// ---------------------------------------------------------------------------------------------
// Model and training

void MainWindow::onModelChanged(const ModelInfo& info)
{
    hasModel_ = true;
    noModel_->hide();
    modelPath_ = info.path;
    classNames_ = info.classNames;
    settingControls_ = true;
    mixer_->setClassNames(info.classNames);
    settingControls_ = false;
    canvas_->setClassNames(info.classNames);
    focus_->setClassNames(info.classNames);
    posteriorChart_->setClassNames(info.classNames);
    for (const auto& [a, b] : kStudyPairs)
        findChild<QPushButton*>(pairButtonName(a, b))->setEnabled(std::max(a, b) < info.classes);
    modelLabel_->setText(info.dataset.isEmpty() ? info.summary : tr("%1 · %2").arg(info.summary, info.dataset));
    modelLabel_->setToolTip(shownPath(info.path));
    training_->showModel(info);  // the model's whole history: empty for a new run, kept on resume
    if (trainingState_ == Worker::TrainingState::Idle) {
        // A checkpoint opened (or a training just ended): remember it.
        if (!info.path.startsWith(QLatin1String(":/")))
            addRecent(info.path);
        settings()->setValue(QStringLiteral("model/last"), info.path);
    }
    setWindowTitle(tr("PixelMix — %1").arg(QFileInfo(info.path).fileName()));
    if (!pendingPair_.isEmpty()) {
        const QString text = std::exchange(pendingPair_, QString());
        try {
            const auto pairs = parsePairs(text, info.classes);
            if (pairs.size() == 1) {
                showPair(pairs.front().first, pairs.front().second);
                return;
            }
            showError(tr("Expected one pair such as 1-7 to show, not \"%1\"").arg(text));
        } catch (const Error& e) {
            showError(e.message());
        }
    }
    resample();
}

void MainWindow::onTrainingState(Worker::TrainingState state)
{
    const auto previous = trainingState_;
    trainingState_ = state;
    startPending_ = false;
    training_->setTrainingState(state);
    updateStateLabel();
    if (previous == Worker::TrainingState::Idle && state == Worker::TrainingState::Running) {
        animation_->clear();
        training_->lossPlot()->fit();
    }
}

void MainWindow::updateStateLabel()
{
    const bool sampling = hasModel_ && currentSampleId_ > 0 && !canvas_->isComplete();
    stateLabel_->setText(sampling ? tr("%1 · sampling").arg(stateText(trainingState_)) : stateText(trainingState_));
}

void MainWindow::onEpoch(const EpochInfo& info)
{
    training_->showEpoch(info);
    animation_->addEpoch(info);
}

TrainJob MainWindow::trainingJob() const
{
    TrainJob job;
    job.dataset = training_->dataset();
    job.model = training_->modelConfig();
    job.train = training_->trainConfig();
    job.trainImages = training_->trainImages();
    job.outDir = defaultRunDir();
    if (training_->continueFromCheckpoint())
        job.resumeFrom = modelPath_;
    return job;
}

QString MainWindow::defaultRunDir() const
{
    QString root = options_.runsDir;
    if (root.isEmpty())
        root = QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)).filePath(QStringLiteral("runs"));
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString dir = QDir(root).filePath(stamp);
    for (int n = 2; QFileInfo::exists(dir); ++n)  // two runs started within a second
        dir = QDir(root).filePath(QStringLiteral("%1-%2").arg(stamp).arg(n));
    return dir;
}

void MainWindow::startTraining(const TrainJob& job)
{
    training_->showError(QString());
    if (job.resumeFrom.isEmpty()) {
        training_->lossPlot()->clear();
        training_->showGrid(QImage(), 0);
    }
    worker_->startTraining(job);
    training_->startButton()->setEnabled(false);  // until the worker says Running (or fails)
    startPending_ = true;
    showStatus(tr("Starting training on %1…").arg(job.dataset));
}

void MainWindow::startTrainingFromPanel()
{
    if (trainingState_ != Worker::TrainingState::Idle || startPending_) {
        showStatus(startPending_ ? tr("Training is starting") : tr("Training is already %1").arg(stateText(trainingState_)));
        return;
    }
    startTraining(trainingJob());
}

void MainWindow::pauseOrResumeTraining()
{
    if (trainingState_ == Worker::TrainingState::Running)
        worker_->pauseTraining();
    else if (trainingState_ == Worker::TrainingState::Paused)
        worker_->resumeTraining();
}

void MainWindow::stopTraining()
{
    if (trainingState_ != Worker::TrainingState::Idle) {
        showStatus(tr("Stopping training and saving the last checkpoint…"));
        worker_->stopTraining();
    }
}

void MainWindow::requestGrid()
{
    if (!hasModel_) {
        showError(tr("No model yet: open a checkpoint or train one"));
        return;
    }
    worker_->requestGrid();
}

// ---------------------------------------------------------------------------------------------
// Files

void MainWindow::openCheckpoint(const QString& path)
{
    if (trainingState_ != Worker::TrainingState::Idle)
        showStatus(tr("Opening %1 stops the training in progress (its last checkpoint is saved)").arg(shownPath(path)));
    worker_->loadCheckpoint(path);
}

void MainWindow::saveCheckpointTo(const QString& path) { worker_->saveCheckpoint(path); }

QImage MainWindow::currentImage() const
{
    if (tabs_->currentIndex() == kTabTrain && !training_->currentGrid().isNull())
        return training_->currentGrid();
    return canvas_->isFinished() ? canvas_->gridImage() : QImage();
}

bool MainWindow::saveImage(const QString& path, QString* error)
{
    auto fail = [&](const QString& message) {
        if (error)
            *error = message;
        showError(message);
        return false;
    };
    const QImage image = currentImage();
    if (image.isNull())
        return fail(tr("No finished image to save yet"));
    if (!image.save(path, "PNG"))
        return fail(tr("%1: cannot write the image").arg(QDir::toNativeSeparators(path)));
    const QFileInfo info(path);
    const QString big = info.dir().filePath(QStringLiteral("%1@%2x.%3")
                                                .arg(info.completeBaseName())
                                                .arg(kUpscale)
                                                .arg(info.suffix().isEmpty() ? QStringLiteral("png") : info.suffix()));
    if (!Worker::upscaled(image, kUpscale).save(big, "PNG"))
        return fail(tr("%1: cannot write the image").arg(QDir::toNativeSeparators(big)));
    showStatus(tr("Saved %1 (%2×%3) and %4").arg(QDir::toNativeSeparators(path)).arg(image.width()).arg(image.height())
                   .arg(QFileInfo(big).fileName()));
    return true;
}

bool MainWindow::savePosteriorChart(const QString& path, QString* error)
{
    QString message;
    if (!posteriorChart_->isUpToDate())
        message = tr("No posterior of the shown strip yet");
    else if (!posteriorChart_->savePng(path))
        message = tr("%1: cannot write the image").arg(QDir::toNativeSeparators(path));
    if (!message.isEmpty()) {
        if (error)
            *error = message;
        showError(message);
        return false;
    }
    showStatus(tr("Saved %1").arg(QDir::toNativeSeparators(path)));
    return true;
}

void MainWindow::copyImage()
{
    const QImage image = currentImage();
    if (image.isNull()) {
        showError(tr("No finished image to copy yet"));
        return;
    }
    QGuiApplication::clipboard()->setImage(Worker::upscaled(image, kUpscale));
    showStatus(tr("Copied the image (%1× enlarged)").arg(kUpscale));
}

bool MainWindow::exportAnimation(const QString& path, QString* error)
{
    QString message;
    bool ok = false;
    if (path.endsWith(QLatin1String(".gif"), Qt::CaseInsensitive)) {
        ok = animation_->exportGif(path, 700, &message);
        if (ok)
            showStatus(tr("Wrote %1 (%2 frames)").arg(QDir::toNativeSeparators(path)).arg(animation_->frameCount()));
    } else if (animation_->frameCount() == 0) {
        message = tr("No epoch has finished yet: there is nothing to animate");
    } else {
        const int frames = animation_->exportFrames(path, &message);
        ok = frames >= 0;
        if (ok)
            showStatus(tr("Wrote %1 frames into %2").arg(frames).arg(QDir::toNativeSeparators(path)));
    }
    if (!ok) {
        if (error)
            *error = message;
        showError(message);
    }
    return ok;
}

void MainWindow::openDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open checkpoint"), lastDir_,
                                                      tr("PixelMix checkpoints (*.pt);;All files (*)"));
    if (path.isEmpty())
        return;
    lastDir_ = QFileInfo(path).absolutePath();
    openCheckpoint(path);
}

QString MainWindow::askSavePath(const QString& title, const QString& suggestedName, const QString& filter)
{
    QString path = QFileDialog::getSaveFileName(this, title, QDir(lastDir_).filePath(suggestedName), filter);
    if (path.isEmpty())
        return {};
    if (QFileInfo(path).suffix().isEmpty())
        path += QLatin1Char('.') + QFileInfo(suggestedName).suffix();
    lastDir_ = QFileInfo(path).absolutePath();
    return path;
}

void MainWindow::saveCheckpointDialog()
{
    if (!hasModel_) {
        showError(tr("No model to save yet"));
        return;
    }
    const QString path = askSavePath(tr("Save checkpoint"), QStringLiteral("model.pt"), tr("PixelMix checkpoints (*.pt)"));
    if (!path.isEmpty())
        saveCheckpointTo(path);
}

void MainWindow::saveImageDialog()
{
    if (currentImage().isNull()) {
        showError(tr("No finished image to save yet"));
        return;
    }
    const QString name = tabs_->currentIndex() == kTabTrain ? QStringLiteral("samples-grid.png") : QStringLiteral("strip.png");
    const QString path = askSavePath(tr("Save image (1:1, and %1× beside it)").arg(kUpscale), name, tr("PNG images (*.png)"));
    if (!path.isEmpty())
        saveImage(path);
}

void MainWindow::savePosteriorChartDialog()
{
    if (!posteriorChart_->isUpToDate()) {
        showError(tr("No posterior of the shown strip yet"));
        return;
    }
    const QString name = QStringLiteral("posterior-%1.png").arg(pairName(mixer_->classA(), mixer_->classB()));
    const QString path = askSavePath(tr("Save posterior plot"), name, tr("PNG images (*.png)"));
    if (!path.isEmpty())
        savePosteriorChart(path);
}

void MainWindow::exportAnimationDialog()
{
    if (animation_->frameCount() == 0) {
        showError(tr("No epoch has finished in this session yet: there is nothing to animate"));
        return;
    }
    QString selected;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export training animation"), QDir(lastDir_).filePath(QStringLiteral("training.gif")),
        tr("GIF animation (*.gif);;Folder of PNG frames (*)"), &selected);
    if (path.isEmpty())
        return;
    lastDir_ = QFileInfo(path).absolutePath();
    exportAnimation(selected.startsWith(QLatin1String("GIF")) && !path.endsWith(QLatin1String(".gif")) ? path + QStringLiteral(".gif")
                                                                                                     : path);
}

void MainWindow::showShortcuts()
{
    QStringList rows;
    for (QAction* a : findChildren<QAction*>())
        if (!a->shortcut().isEmpty() && !a->text().isEmpty())
            rows << QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
                        .arg(a->shortcut().toString(QKeySequence::NativeText).toHtmlEscaped(),
                             a->text().remove(QLatin1Char('&')).toHtmlEscaped());
    rows.sort();
    auto* box = new QMessageBox(QMessageBox::Information, tr("Keyboard shortcuts"),
                                QStringLiteral("<table cellspacing=6>%1</table>").arg(rows.join(QString())),
                                QMessageBox::Close, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setModal(false);
    box->show();
}

void MainWindow::addRecent(const QString& path)
{
    if (path.isEmpty() || path.startsWith(QLatin1String(":/")))
        return;
    const QString absolute = QFileInfo(path).absoluteFilePath();
    recent_.removeAll(absolute);
    recent_.prepend(absolute);
    while (recent_.size() > kMaxRecent)
        recent_.removeLast();
    settings()->setValue(QStringLiteral("model/recent"), recent_);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    recentMenu_->clear();
    for (int i = 0; i < recent_.size(); ++i) {
        const QString path = recent_[i];
        auto* a = recentMenu_->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(QDir::toNativeSeparators(path)));
        a->setEnabled(QFileInfo::exists(path));
        connect(a, &QAction::triggered, this, [this, path] { openCheckpoint(path); });
    }
    if (!recent_.isEmpty())
        recentMenu_->addSeparator();
    auto* clear = recentMenu_->addAction(tr("Clear list"));
    clear->setEnabled(!recent_.isEmpty());
    connect(clear, &QAction::triggered, this, [this] {
        recent_.clear();
        settings()->setValue(QStringLiteral("model/recent"), recent_);
        rebuildRecentMenu();
    });
}

// ---------------------------------------------------------------------------------------------
// Status, settings, closing

void MainWindow::showStatus(const QString& message)
{
    statusText_->setStyleSheet(QString());
    statusText_->setText(message);
    statusText_->setToolTip(message);
}

void MainWindow::showError(const QString& message)
{
    statusText_->setStyleSheet(QStringLiteral("color: #b00020; font-weight: bold"));
    statusText_->setText(QStringLiteral("⚠ %1").arg(message));
    statusText_->setToolTip(message);
    if (!hasModel_) {
        const QString why = message.startsWith(QLatin1String(":/"))
                                ? tr("this build has no built-in model")  // resources/pretrained/mnist.pt was missing
                                : message;
        noModel_->setText(tr("No model loaded (%1).\nOpen a checkpoint (Ctrl+O) or train one in the Train tab.").arg(why));
        noModel_->show();
    }
    if (startPending_ && trainingState_ == Worker::TrainingState::Idle) {
        startPending_ = false;  // the training could not start: let the user fix it and try again
        training_->setTrainingState(trainingState_);
        training_->showError(message);
    } else if (tabs_->currentIndex() == kTabTrain || trainingState_ != Worker::TrainingState::Idle) {
        training_->showError(message);
    }
}

std::unique_ptr<QSettings> MainWindow::settings() const
{
    if (!options_.settingsFile.isEmpty())
        return std::make_unique<QSettings>(options_.settingsFile, QSettings::IniFormat);
    return std::make_unique<QSettings>();
}

void MainWindow::saveSettings()
{
    auto s = settings();
    s->setValue(QStringLiteral("window/geometry"), saveGeometry());
    s->setValue(QStringLiteral("window/state"), saveState());
    s->setValue(QStringLiteral("window/tab"), tabs_->currentIndex());
    s->setValue(QStringLiteral("sampling/view"), view_->currentIndex());
    s->setValue(QStringLiteral("sampling/count"), count_->value());
    s->setValue(QStringLiteral("sampling/rows"), rows_->value());
    s->setValue(QStringLiteral("sampling/temperature"), temperature_->value());
    s->setValue(QStringLiteral("sampling/seed"), seed_->value());
    s->setValue(QStringLiteral("files/lastDir"), lastDir_);
    mixer_->saveSettings(*s);
    training_->saveSettings(*s);
}

void MainWindow::restoreSettings()
{
    auto s = settings();
    recent_ = s->value(QStringLiteral("model/recent")).toStringList();
    rebuildRecentMenu();
    lastDir_ = s->value(QStringLiteral("files/lastDir"), QDir::homePath()).toString();
    if (!options_.restoreSettings) {
        resize(1280, 800);
        return;
    }
    if (!restoreGeometry(s->value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1280, 800);
    restoreState(s->value(QStringLiteral("window/state")).toByteArray());
    settingControls_ = true;  // no model yet anyway
    tabs_->setCurrentIndex(s->value(QStringLiteral("window/tab"), kTabSample).toInt());
    view_->setCurrentIndex(s->value(QStringLiteral("sampling/view"), 0).toInt());
    count_->setValue(s->value(QStringLiteral("sampling/count"), 11).toInt());
    rows_->setValue(s->value(QStringLiteral("sampling/rows"), 1).toInt());
    temperature_->setValue(s->value(QStringLiteral("sampling/temperature"), 1.0).toDouble());
    seed_->setValue(s->value(QStringLiteral("sampling/seed"), 1).toInt());
    mixer_->restoreSettings(*s);
    training_->restoreSettings(*s);
    settingControls_ = false;
    updateCanvasLayout();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveSettings();
    if (trainingState_ != Worker::TrainingState::Idle)
        showStatus(tr("Saving the last checkpoint…"));
    // The worker stops at its next pixel or batch, writes `last` if training, and its thread ends.
    worker_->shutdown();
    worker_->wait();
    event->accept();
}

}  // namespace pixelmix::ui
