#include "training_panel.h"

#include "image_view.h"
#include "loss_plot.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

#include <cmath>

namespace pixelmix::ui {

namespace {
const QString kFolderItem = QStringLiteral("\x01folder");

QSpinBox* spin(int lo, int hi, const QString& tip, int step = 1)
{
    auto* s = new QSpinBox;
    s->setRange(lo, hi);
    s->setSingleStep(step);
    s->setToolTip(tip);
    return s;
}
}  // namespace

TrainingPanel::TrainingPanel(QWidget* parent) : QWidget(parent)
{
    // --- what to train ---
    dataset_ = new QComboBox;
    dataset_->setObjectName(QStringLiteral("dataset"));
    dataset_->addItem(tr("MNIST digits"), QStringLiteral("mnist"));
    dataset_->addItem(tr("Fashion-MNIST"), QStringLiteral("fashion-mnist"));
    dataset_->addItem(tr("IDX folder…"), kFolderItem);
    dataset_->setToolTip(tr("The data to train on: a named dataset, or a folder of IDX files"));
    connect(dataset_, &QComboBox::activated, this, [this](int index) {
        if (dataset_->itemData(index).toString() == kFolderItem)
            pickFolder();
    });

    ModelConfig m;
    TrainConfig t;
    channels_ = spin(1, 1024, tr("Feature maps per stack"));
    layers_ = spin(1, 64, tr("Gated layers"));
    kernel_ = spin(1, 15, tr("Kernel width (odd)"), 2);
    levels_ = spin(2, 256, tr("Quantisation levels per pixel"));
    spatial_ = spin(0, 256, tr("Channels of the learned per-class spatial map"));
    dropout_ = new QDoubleSpinBox;
    dropout_->setRange(0.0, 0.9);
    dropout_->setSingleStep(0.05);
    batch_ = spin(1, 4096, tr("Images per Adam step"));
    learningRate_ = new QDoubleSpinBox;
    learningRate_->setDecimals(5);
    learningRate_->setRange(0.00001, 1.0);
    learningRate_->setSingleStep(0.0001);
    epochs_ = spin(0, 100000, tr("Stop after this many epochs"));
    epochs_->setSpecialValueText(tr("until stopped"));
    minutes_ = new QDoubleSpinBox;
    minutes_->setRange(0.0, 100000.0);
    minutes_->setDecimals(1);
    minutes_->setSpecialValueText(tr("no limit"));
    minutes_->setToolTip(tr("Stop after this many minutes of training"));
    augment_ = new QCheckBox(tr("Random 1-pixel shifts"));
    threads_ = spin(0, 256, tr("LibTorch threads"));
    threads_->setSpecialValueText(tr("all cores"));
    seed_ = spin(0, 2147483647, tr("Seeds weights, shuffling and augmentation"));
    validation_ = spin(0, 1000000, tr("Test images used for validation each epoch"));
    validation_->setSpecialValueText(tr("all"));
    trainImages_ = spin(0, 10000000, tr("Train on the first N images only, for a quick look"));
    trainImages_->setObjectName(QStringLiteral("trainImages"));
    trainImages_->setSpecialValueText(tr("all"));
    continue_ = new QCheckBox(tr("Continue the open checkpoint"));
    continue_->setObjectName(QStringLiteral("continueCheckpoint"));
    continue_->setEnabled(false);
    setConfigs(m, t);

    auto* modelBox = new QGroupBox(tr("Model"));
    auto* modelForm = new QFormLayout(modelBox);
    modelForm->addRow(tr("Channels"), channels_);
    modelForm->addRow(tr("Layers"), layers_);
    modelForm->addRow(tr("Kernel"), kernel_);
    modelForm->addRow(tr("Levels"), levels_);
    modelForm->addRow(tr("Spatial channels"), spatial_);
    modelForm->addRow(tr("Dropout"), dropout_);
    auto* trainBox = new QGroupBox(tr("Training"));
    auto* trainForm = new QFormLayout(trainBox);
    trainForm->addRow(tr("Dataset"), dataset_);
    trainForm->addRow(tr("Batch size"), batch_);
    trainForm->addRow(tr("Learning rate"), learningRate_);
    trainForm->addRow(tr("Epochs"), epochs_);
    trainForm->addRow(tr("Minutes"), minutes_);
    trainForm->addRow(tr("Augment"), augment_);
    trainForm->addRow(tr("Threads"), threads_);
    trainForm->addRow(tr("Seed"), seed_);
    trainForm->addRow(tr("Training images"), trainImages_);
    trainForm->addRow(tr("Validation images"), validation_);
    trainForm->addRow(continue_);

    // --- control ---
    start_ = new QPushButton(tr("Start"));
    pause_ = new QPushButton(tr("Pause"));
    resume_ = new QPushButton(tr("Resume"));
    stop_ = new QPushButton(tr("Stop"));
    start_->setObjectName(QStringLiteral("start"));
    pause_->setObjectName(QStringLiteral("pause"));
    resume_->setObjectName(QStringLiteral("resume"));
    stop_->setObjectName(QStringLiteral("stop"));
    start_->setToolTip(tr("Start training (Ctrl+T)"));
    pause_->setToolTip(tr("Pause training, keeping its place (Ctrl+P)"));
    resume_->setToolTip(tr("Resume where it paused (Ctrl+P)"));
    stop_->setToolTip(tr("Stop and save the last checkpoint (Ctrl+Shift+T)"));
    connect(start_, &QPushButton::clicked, this, &TrainingPanel::startRequested);
    connect(pause_, &QPushButton::clicked, this, &TrainingPanel::pauseRequested);
    connect(resume_, &QPushButton::clicked, this, &TrainingPanel::resumeRequested);
    connect(stop_, &QPushButton::clicked, this, &TrainingPanel::stopRequested);
    auto* buttons = new QHBoxLayout;
    for (auto* b : {start_, pause_, resume_, stop_})
        buttons->addWidget(b);
    progress_ = new QProgressBar;
    progress_->setObjectName(QStringLiteral("trainingProgress"));
    progress_->setRange(0, 1000);
    progress_->setValue(0);
    progress_->setTextVisible(true);
    progress_->setFormat(tr("idle"));
    rate_ = new QLabel;
    rate_->setObjectName(QStringLiteral("trainingRate"));
    rate_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    rate_->setWordWrap(true);
    error_ = new QLabel;
    error_->setWordWrap(true);
    error_->setStyleSheet(QStringLiteral("color: #b00020"));
    error_->hide();

    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->addWidget(trainBox);
    leftLayout->addWidget(modelBox);
    leftLayout->addLayout(buttons);
    leftLayout->addWidget(progress_);
    leftLayout->addWidget(rate_);
    leftLayout->addWidget(error_);
    leftLayout->addStretch();
    auto* scroll = new QScrollArea;
    scroll->setWidget(left);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(left->sizeHint().width() + 20);

    // --- watch ---
    plot_ = new LossPlot;
    grid_ = new ImageView;
    grid_->setObjectName(QStringLiteral("trainingGrid"));
    grid_->setPlaceholder(tr("Samples, 5 per class, appear here after every epoch"));
    refresh_ = new QPushButton(tr("Draw samples now"));
    refresh_->setToolTip(tr("Draw 5 samples per class from the current model (Ctrl+G)"));
    connect(refresh_, &QPushButton::clicked, this, &TrainingPanel::gridRequested);
    auto* gridBox = new QWidget;
    auto* gridLayout = new QVBoxLayout(gridBox);
    gridLayout->setContentsMargins(0, 0, 0, 0);
    gridLayout->addWidget(grid_, 1);
    auto* refreshRow = new QHBoxLayout;
    refreshRow->addStretch();
    refreshRow->addWidget(refresh_);
    gridLayout->addLayout(refreshRow);

    auto* right = new QSplitter(Qt::Vertical);
    right->addWidget(plot_);
    right->addWidget(gridBox);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 2);

    splitter_ = new QSplitter(Qt::Horizontal);
    splitter_->setObjectName(QStringLiteral("trainingSplitter"));
    splitter_->addWidget(scroll);
    splitter_->addWidget(right);
    splitter_->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter_);

    setTrainingState(Worker::TrainingState::Idle);
}

void TrainingPanel::pickFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder with IDX files"));
    if (dir.isEmpty()) {
        dataset_->setCurrentIndex(0);
        return;
    }
    setDataset(dir);
}

QString TrainingPanel::dataset() const
{
    const QString data = dataset_->currentData().toString();
    return data == kFolderItem ? QStringLiteral("mnist") : data;
}

void TrainingPanel::setDataset(const QString& dataset)
{
    int index = dataset_->findData(dataset);
    if (index < 0) {
        index = dataset_->count() - 1;  // before "IDX folder…"
        dataset_->insertItem(index, QFileInfo(dataset).fileName().isEmpty() ? dataset : QFileInfo(dataset).fileName(),
                             dataset);
        dataset_->setItemData(index, QDir::toNativeSeparators(dataset), Qt::ToolTipRole);
    }
    dataset_->setCurrentIndex(index);
}

ModelConfig TrainingPanel::modelConfig() const
{
    ModelConfig m;
    m.channels = channels_->value();
    m.layers = layers_->value();
    m.kernel = kernel_->value() | 1;
    m.levels = levels_->value();
    m.spatialChannels = spatial_->value();
    m.dropout = dropout_->value();
    return m;
}

TrainConfig TrainingPanel::trainConfig() const
{
    TrainConfig t;
    t.batchSize = batch_->value();
    t.learningRate = learningRate_->value();
    t.epochs = epochs_->value();
    t.minutes = minutes_->value();
    t.augment = augment_->isChecked();
    t.threads = threads_->value();
    t.seed = std::uint64_t(seed_->value());
    t.validationImages = validation_->value();
    return t;
}

void TrainingPanel::setConfigs(const ModelConfig& m, const TrainConfig& t)
{
    channels_->setValue(m.channels);
    layers_->setValue(m.layers);
    kernel_->setValue(m.kernel);
    levels_->setValue(m.levels);
    spatial_->setValue(m.spatialChannels);
    dropout_->setValue(m.dropout);
    batch_->setValue(t.batchSize);
    learningRate_->setValue(t.learningRate);
    epochs_->setValue(t.epochs);
    minutes_->setValue(t.minutes);
    augment_->setChecked(t.augment);
    threads_->setValue(t.threads);
    seed_->setValue(int(std::min<std::uint64_t>(t.seed, 2147483647)));
    validation_->setValue(t.validationImages);
}

int TrainingPanel::trainImages() const { return trainImages_->value(); }

void TrainingPanel::setTrainImages(int count) { trainImages_->setValue(count); }

bool TrainingPanel::continueFromCheckpoint() const { return continue_->isEnabled() && continue_->isChecked(); }

void TrainingPanel::setCheckpointAvailable(const QString& path)
{
    checkpoint_ = path;
    const bool usable = !path.isEmpty() && !path.startsWith(QLatin1String(":/"));
    continue_->setEnabled(usable);
    if (!usable)
        continue_->setChecked(false);
    continue_->setToolTip(usable ? tr("Continue training %1 (its model settings win)").arg(QDir::toNativeSeparators(path))
                                 : tr("Open a checkpoint written by training to continue it"));
}

void TrainingPanel::setTrainingState(Worker::TrainingState state)
{
    using S = Worker::TrainingState;
    start_->setEnabled(state == S::Idle);
    pause_->setEnabled(state == S::Running);
    resume_->setEnabled(state == S::Paused);
    stop_->setEnabled(state != S::Idle);
    for (QWidget* w : std::initializer_list<QWidget*>{dataset_, channels_, layers_, kernel_, levels_, spatial_,
                                                      dropout_, batch_, learningRate_, epochs_, minutes_, augment_,
                                                      threads_, seed_, validation_, trainImages_})
        w->setEnabled(state == S::Idle);
    continue_->setEnabled(state == S::Idle && !checkpoint_.isEmpty() && !checkpoint_.startsWith(QLatin1String(":/")));
    if (state == S::Idle) {
        progress_->setFormat(progress_->value() > 0 ? tr("stopped at %p%") : tr("idle"));
    } else if (state == S::Paused) {
        progress_->setFormat(tr("paused at %p%"));
    } else {
        error_->hide();
        if (progress_->format() == tr("idle") || progress_->format().startsWith(tr("stopped")))
            progress_->setFormat(tr("starting…"));
    }
}

QString TrainingPanel::formatDuration(double seconds)
{
    if (seconds < 0 || !std::isfinite(seconds))
        return QStringLiteral("?");
    const qint64 s = qint64(std::llround(seconds));
    if (s >= 3600)
        return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    if (s >= 60)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 s").arg(s);
}

void TrainingPanel::showStep(const StepInfo& info)
{
    if (!info.losses.isEmpty())
        plot_->addSteps(info.step, info.losses);
    double fraction = info.fraction;
    double eta = info.etaSeconds;
    QString what;
    if (fraction < 0.0) {
        // No limit: show the epoch in progress and the time to its end.
        fraction = info.batchesPerEpoch > 0 ? double(info.batchInEpoch) / double(info.batchesPerEpoch) : 0.0;
        const double images = double(info.batchesPerEpoch - info.batchInEpoch) * double(trainConfig().batchSize);
        eta = info.imagesPerSecond > 0 ? images / info.imagesPerSecond : -1.0;
        what = tr("epoch %1: %p%").arg(info.epoch);
    } else {
        what = tr("%p% (epoch %1)").arg(info.epoch);
    }
    progress_->setValue(int(std::lround(std::clamp(fraction, 0.0, 1.0) * 1000.0)));
    progress_->setFormat(what);
    rate_->setText(tr("step %1 · %2 bits/dim · %3 images/s · ETA %4%5")
                       .arg(info.step)
                       .arg(info.losses.isEmpty() ? 0.0 : info.losses.last(), 0, 'f', 3)
                       .arg(info.imagesPerSecond, 0, 'f', 0)
                       .arg(formatDuration(eta))
                       .arg(info.fraction < 0.0 ? tr(" (end of epoch)") : QString()));
}

void TrainingPanel::showEpoch(const EpochInfo& info)
{
    plot_->addEpoch(info);
    if (!info.grid.isNull())
        showGrid(info.grid, info.epoch);
}

void TrainingPanel::showGrid(const QImage& grid, int epoch)
{
    grid_->setImage(grid);
    grid_->setCaption(epoch > 0 ? tr("after epoch %1 — one column per class").arg(epoch)
                                : tr("one column per class"));
}

void TrainingPanel::showModel(const ModelInfo& info)
{
    plot_->setHistory(info.stepBitsPerDim, info.epochs);
    setCheckpointAvailable(info.path);
}

void TrainingPanel::showError(const QString& message)
{
    error_->setText(message);
    error_->setVisible(!message.isEmpty());
}

QImage TrainingPanel::currentGrid() const { return grid_->image(); }

void TrainingPanel::saveSettings(QSettings& s) const
{
    s.setValue(QStringLiteral("training/dataset"), dataset());
    s.setValue(QStringLiteral("training/model"), modelConfig().toJson().toVariantMap());
    s.setValue(QStringLiteral("training/train"), trainConfig().toJson().toVariantMap());
    s.setValue(QStringLiteral("training/trainImages"), trainImages());
    s.setValue(QStringLiteral("training/splitter"), splitter_->saveState());
    s.setValue(QStringLiteral("training/logScale"), plot_->logScale());
}

void TrainingPanel::restoreSettings(const QSettings& s)
{
    const QString data = s.value(QStringLiteral("training/dataset")).toString();
    if (!data.isEmpty())
        setDataset(data);
    try {
        const auto model = ModelConfig::fromJson(QJsonObject::fromVariantMap(s.value(QStringLiteral("training/model")).toMap()));
        const auto train = TrainConfig::fromJson(QJsonObject::fromVariantMap(s.value(QStringLiteral("training/train")).toMap()));
        setConfigs(model, train);
    } catch (const std::exception&) {
        // Settings from another version: keep the defaults.
    }
    setTrainImages(s.value(QStringLiteral("training/trainImages"), 0).toInt());
    splitter_->restoreState(s.value(QStringLiteral("training/splitter")).toByteArray());
    plot_->setLogScale(s.value(QStringLiteral("training/logScale"), false).toBool());
}

}  // namespace pixelmix::ui
