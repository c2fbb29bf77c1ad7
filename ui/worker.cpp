// The worker thread: see the threading model at the top of worker.h. This is the only ui file that
// includes LibTorch.
#include "worker.h"

#include "checkpoint.h"
#include "dataset.h"
#include "error.h"
#include "image_grid.h"
#include "likelihood.h"
#include "sampler.h"
#include "trainer.h"

#include <QDir>
#include <QFileInfo>
#include <QMutex>
#include <QMutexLocker>
#include <QWaitCondition>

#include <atomic>
#include <chrono>
#include <cmath>
#include <deque>
#include <optional>

#include <torch/torch.h>

namespace pixelmix::ui {

namespace {
using Clock = std::chrono::steady_clock;

// Streaming throttle: a sample strip takes a fraction of a second, so a snapshot every 15 ms gives
// the canvas a dozen or more updates per image set without flooding the event queue.
constexpr auto kProgressInterval = std::chrono::milliseconds(15);
// Training steps of tiny models take a millisecond; the plot gets their losses in batches.
constexpr auto kStepInterval = std::chrono::milliseconds(50);
// Forward passes per batch of the posterior: one image under each of ten classes. A newer request
// cancels the posterior between batches, so it waits for one batch at most (~65 ms on one core).
constexpr int kPosteriorBatch = 10;

// Sampling runs on one LibTorch thread unless OMP_NUM_THREADS asks for more. A second thread saves
// a few tens of milliseconds on an idle machine, but when anything else holds a core (a build, a
// training run, the GUI painting) OpenMP threads waiting on each other make a strip 10-25 times
// slower (measured with pixelmix-gui-bench). Training sets its own thread count (TrainConfig).
int samplingThreads()
{
    const int fromEnvironment = qEnvironmentVariableIntValue("OMP_NUM_THREADS");
    return fromEnvironment > 0 ? fromEnvironment : 1;
}

QByteArray toBytes(const torch::Tensor& levels)
{
    const auto bytes = levels.to(torch::kUInt8).contiguous();
    return QByteArray(reinterpret_cast<const char*>(bytes.data_ptr<uint8_t>()), qsizetype(bytes.numel()));
}

QStringList classNamesOrNumbers(const QString& dataset, int classes)
{
    QStringList names;
    try {
        if (!dataset.isEmpty())
            names = classNamesFor(dataset);
    } catch (const std::exception&) {
        names.clear();  // an unknown or moved folder: fall back to numbers
    }
    if (names.size() != classes) {
        names.clear();
        for (int k = 0; k < classes; ++k)
            names << QString::number(k);
    }
    return names;
}

EpochInfo toEpochInfo(const EpochRecord& r)
{
    EpochInfo e;
    e.epoch = r.epoch;
    e.step = r.step;
    e.trainBitsPerDim = r.trainBitsPerDim;
    e.validBitsPerDim = r.validBitsPerDim;
    e.validNatsPerImage = r.validNatsPerImage;
    e.seconds = r.seconds;
    return e;
}

QString displayPath(const QString& path)
{
    return path.startsWith(QLatin1String(":/")) ? QStringLiteral("built-in model %1").arg(QFileInfo(path).fileName())
                                                 : QDir::toNativeSeparators(path);
}

void limitImages(Dataset& set, int count)
{
    if (count > 0 && count < set.size()) {
        set.images = set.images.narrow(0, 0, count);
        set.labels = set.labels.narrow(0, 0, count);
    }
}
}  // namespace

struct Worker::Command {
    enum Kind { Train, Pause, Resume, Stop, Load, Save, Grid, Sample };
    Kind kind = Sample;
    quint64 id = 0;
    QString path;
    TrainJob train;
    SampleJob sample;
};

struct Worker::State {
    // Shared with the requesting threads, guarded by `mutex`.
    QMutex mutex;
    QWaitCondition wake;
    std::deque<Command> commands;
    std::optional<Command> pendingSample;  // at most one: the newest

    // Lock-free flags polled at every pixel and every batch.
    std::atomic<bool> abort{false};
    std::atomic<quint64> nextId{0};
    std::atomic<quint64> latestSample{0};
    std::atomic<int> commandCount{0};
    std::atomic<bool> samplePending{false};
    std::atomic<int> trainingState{int(TrainingState::Idle)};

    // Worker thread only.
    PixelCNN model{nullptr};  // the model sampled when no training exists
    pixelmix::TrainingState loadedState;  // history and configs of the model when no trainer exists
    QString modelPath;
    QStringList classNames;
    std::unique_ptr<Trainer> trainer;
    QString trainingDataset;
    StepInfo pendingSteps;
    Clock::time_point lastStepEmit;

    PixelCNN* currentModel()
    {
        if (trainer)
            return &trainer->model();
        return model ? &model : nullptr;
    }
};

Worker::Worker(QObject* parent) : QThread(parent), d(std::make_unique<State>())
{
    qRegisterMetaType<LevelsBlock>();
    qRegisterMetaType<SampleJob>();
    qRegisterMetaType<ImageInfo>();
    qRegisterMetaType<QVector<ImageInfo>>();
    qRegisterMetaType<StepInfo>();
    qRegisterMetaType<EpochInfo>();
    qRegisterMetaType<ModelInfo>();
    qRegisterMetaType<TrainingState>();
    setObjectName(QStringLiteral("PixelMix worker"));
    start();
}

Worker::~Worker()
{
    shutdown();
    wait();
}

quint64 Worker::enqueue(Command command)
{
    QMutexLocker lock(&d->mutex);
    command.id = ++d->nextId;
    const quint64 id = command.id;
    if (command.kind == Command::Sample) {
        d->latestSample = id;  // a running sample sees this at its next pixel and stops
        d->pendingSample = std::move(command);
        d->samplePending = true;
    } else {
        d->commands.push_back(std::move(command));
        ++d->commandCount;
    }
    d->wake.wakeOne();
    return id;
}

quint64 Worker::requestSample(const SampleJob& job)
{
    Command c;
    c.kind = Command::Sample;
    c.sample = job;
    return enqueue(std::move(c));
}

quint64 Worker::requestGrid()
{
    Command c;
    c.kind = Command::Grid;
    return enqueue(std::move(c));
}

quint64 Worker::startTraining(const TrainJob& job)
{
    Command c;
    c.kind = Command::Train;
    c.train = job;
    return enqueue(std::move(c));
}

void Worker::pauseTraining()
{
    Command c;
    c.kind = Command::Pause;
    enqueue(std::move(c));
}

void Worker::resumeTraining()
{
    Command c;
    c.kind = Command::Resume;
    enqueue(std::move(c));
}

void Worker::stopTraining()
{
    Command c;
    c.kind = Command::Stop;
    enqueue(std::move(c));
}

quint64 Worker::loadCheckpoint(const QString& path)
{
    Command c;
    c.kind = Command::Load;
    c.path = path;
    return enqueue(std::move(c));
}

quint64 Worker::saveCheckpoint(const QString& path)
{
    Command c;
    c.kind = Command::Save;
    c.path = path;
    return enqueue(std::move(c));
}

void Worker::shutdown()
{
    QMutexLocker lock(&d->mutex);
    d->abort = true;
    d->wake.wakeAll();
}

Worker::TrainingState Worker::trainingState() const { return TrainingState(d->trainingState.load()); }

quint64 Worker::latestSampleId() const { return d->latestSample.load(); }

void Worker::run()
{
    // Per-thread LibTorch settings, on this thread.
    torch::set_num_threads(samplingThreads());
    torch::autograd::GradMode::set_enabled(false);  // the trainer turns gradients on for its steps

    for (;;) {
        Command command;
        bool train = false;
        {
            QMutexLocker lock(&d->mutex);
            // Training continues only when nothing else is pending (d->trainer is this thread's own).
            while (!d->abort && d->commands.empty() && !d->pendingSample &&
                   !(d->trainer && trainingState() == TrainingState::Running))
                d->wake.wait(&d->mutex);
            if (d->abort)
                break;
            if (!d->commands.empty()) {
                command = std::move(d->commands.front());
                d->commands.pop_front();
                --d->commandCount;
            } else if (d->pendingSample) {
                command = std::move(*d->pendingSample);
                d->pendingSample.reset();
                d->samplePending = false;
            } else {
                train = true;
            }
        }
        try {
            if (train)
                continueTraining();
            else
                execute(command);
        } catch (const Error& e) {
            Q_EMIT error(e.message());
        } catch (const std::exception& e) {
            Q_EMIT error(QString::fromLocal8Bit(e.what()).section(QLatin1Char('\n'), 0, 0));
        }
    }

    // Shutdown: keep the training done so far.
    if (d->trainer) {
        try {
            d->trainer->saveLast();
            Q_EMIT status(tr("Saved %1").arg(QDir::toNativeSeparators(d->trainer->lastPath())));
        } catch (const std::exception& e) {
            Q_EMIT error(tr("Could not save the last checkpoint: %1").arg(QString::fromLocal8Bit(e.what())));
        }
        d->trainer.reset();
        setTrainingState(TrainingState::Idle);
    }
}

void Worker::execute(Command& command)
{
    switch (command.kind) {
    case Command::Sample: executeSample(command.id, command.sample); break;
    case Command::Grid: executeGrid(command.id); break;
    case Command::Train: executeTrain(command.train); break;
    case Command::Load: executeLoad(command.path); break;
    case Command::Save: executeSave(command.id, command.path); break;
    case Command::Pause:
        if (d->trainer && trainingState() == TrainingState::Running) {
            d->trainer->saveLast();
            setTrainingState(TrainingState::Paused);
            Q_EMIT status(tr("Training paused at step %1").arg(d->trainer->state().step));
        }
        break;
    case Command::Resume:
        if (d->trainer && trainingState() == TrainingState::Paused) {
            setTrainingState(TrainingState::Running);
            Q_EMIT status(tr("Training resumed"));
        }
        break;
    case Command::Stop:
        if (d->trainer)
            finishTraining(tr("Training stopped"));
        break;
    }
}

void Worker::setTrainingState(TrainingState state)
{
    if (d->trainingState.exchange(int(state)) != int(state))
        Q_EMIT trainingStateChanged(state);
}

void Worker::emitModelChanged()
{
    PixelCNN* model = d->currentModel();
    if (!model)
        return;
    const auto& state = d->trainer ? d->trainer->state() : d->loadedState;
    const auto& c = (*model)->config;
    ModelInfo info;
    info.path = d->trainer ? d->trainer->lastPath() : d->modelPath;
    info.summary = c.summary();
    info.dataset = state.dataset;
    if (info.dataset.isEmpty() && d->trainer)
        info.dataset = d->trainingDataset;  // a fresh Trainer may not record its dataset's name
    info.classNames = d->classNames;
    info.classes = c.classes;
    info.levels = c.levels;
    info.height = c.height;
    info.width = c.width;
    info.stepBitsPerDim = QVector<double>(state.stepBitsPerDim.begin(), state.stepBitsPerDim.end());
    for (const auto& r : state.epochs)
        info.epochs.append(toEpochInfo(r));
    Q_EMIT modelChanged(info);
}

// ---------------------------------------------------------------------------------------------
// Sampling

void Worker::executeSample(quint64 id, const SampleJob& job)
{
    PixelCNN* model = d->currentModel();
    if (!model) {
        Q_EMIT error(tr("No model yet: open a checkpoint or train one"));
        return;
    }
    const auto& c = (*model)->config;
    const int count = int(job.weights.size());
    if (count < 1)
        return;
    // The sampling thread count (a training run sets its own on this thread).
    const int threads = samplingThreads();
    if (torch::get_num_threads() != threads)
        torch::set_num_threads(threads);
    auto weights = torch::zeros({count, c.classes}, torch::kFloat32);
    QVector<ImageInfo> info(count);
    for (int i = 0; i < count; ++i) {
        QVector<double> w = job.weights[i];
        w.resize(c.classes);  // a picker may know fewer or more classes than this model
        double total = 0.0;
        for (double& x : w)
            total += (x = std::max(0.0, std::isfinite(x) ? x : 0.0));
        for (double& x : w)
            x = total > 0.0 ? x / total : 1.0 / c.classes;
        for (int k = 0; k < c.classes; ++k)
            weights[i][k] = float(w[k]);
        info[i].weights = w;
    }

    SampleRequest request;
    request.weights = weights;
    request.temperature = job.temperature;
    request.seed = job.seed;
    request.sharedNoise = job.sharedNoise;
    request.noiseSeeds.assign(job.noiseSeeds.begin(), job.noiseSeeds.end());

    LevelsBlock block;
    block.count = count;
    block.height = c.height;
    block.width = c.width;
    block.levels = c.levels;
    auto lastEmit = Clock::now() - std::chrono::seconds(1);  // the first pixel goes out at once
    auto stillWanted = [this, id] { return !d->abort && d->latestSample.load() == id; };
    auto onPixel = [&](int row, int col, const torch::Tensor& levels) {
        if (!stillWanted())
            return false;
        const auto now = Clock::now();
        if (now - lastEmit >= kProgressInterval) {
            lastEmit = now;
            block.data = toBytes(levels);
            Q_EMIT sampleProgress(id, row, col, block);
        }
        return true;
    };
    const auto levels = sample(*model, request, SamplerKind::Cached, onPixel);
    if (!stillWanted())
        return;  // superseded: the newer request will speak
    block.data = toBytes(levels);
    const auto bits = imageBitsPerDim(*model, levels, weights).to(torch::kFloat64).contiguous();
    for (int i = 0; i < count; ++i)
        info[i].bitsPerDim = bits[i].item<double>();
    Q_EMIT sampleFinished(id, block, info);
    if (!job.posterior)
        return;

    const auto logLikelihoods = classLogLikelihoods(*model, levels, kPosteriorBatch, [&] { return !stillWanted(); });
    if (!logLikelihoods.defined())
        return;
    const auto posterior = classPosterior(logLikelihoods).contiguous();
    const double* p = posterior.data_ptr<double>();
    for (int i = 0; i < count; ++i)
        info[i].posterior = QVector<double>(p + i * c.classes, p + (i + 1) * c.classes);
    Q_EMIT posteriorReady(id, info);
}

namespace {
// kGridPerClass images of every class, one column per class: image i has class i % classes.
QImage classGrid(PixelCNN& model, int perClass, quint64 seed, const std::function<bool()>& keepGoing)
{
    const auto& c = model->config;
    const int count = perClass * c.classes;
    auto labels = torch::arange(count, torch::kLong).remainder(c.classes);
    SampleRequest request;
    request.weights = oneHot(labels, c.classes);
    request.temperature = 1.0;
    request.seed = seed;
    request.sharedNoise = false;
    bool complete = true;
    const auto levels = sample(model, request, SamplerKind::Cached, [&](int, int, const torch::Tensor&) {
        return complete = keepGoing();
    });
    if (!complete)
        return {};
    return makeGrid(levels, c.levels, c.classes, 2);
}
}  // namespace

void Worker::executeGrid(quint64 id)
{
    PixelCNN* model = d->currentModel();
    if (!model) {
        Q_EMIT error(tr("No model yet: open a checkpoint or train one"));
        return;
    }
    Q_EMIT status(tr("Drawing %1 samples per class…").arg(kGridPerClass));
    const auto grid = classGrid(*model, kGridPerClass, kGridSeed, [this] { return !d->abort.load(); });
    if (grid.isNull())
        return;
    const int epoch = d->trainer ? d->trainer->state().epoch : d->loadedState.epoch;
    Q_EMIT gridReady(id, grid, epoch);
    Q_EMIT status(tr("Sample grid ready"));
}

// ---------------------------------------------------------------------------------------------
// Training

bool Worker::trainingShouldYield() const
{
    return d->abort.load() || d->samplePending.load() || d->commandCount.load() > 0;
}

void Worker::executeTrain(const TrainJob& job)
{
    if (d->trainer)
        finishTraining(tr("Previous training stopped"));
    QString dataset = job.dataset;
    if (!job.resumeFrom.isEmpty()) {
        const auto stored = pixelmix::loadCheckpoint(job.resumeFrom).state.dataset;
        if (!stored.isEmpty())
            dataset = stored;
    }
    Q_EMIT status(tr("Loading %1…").arg(dataset));
    auto trainSet = loadDataset(dataset, Split::Train);
    auto testSet = loadDataset(dataset, Split::Test);
    limitImages(trainSet, job.trainImages);
    const QString outDir = job.outDir;
    std::unique_ptr<Trainer> trainer;
    if (!job.resumeFrom.isEmpty())
        trainer = Trainer::resume(job.resumeFrom, job.train, std::move(trainSet), std::move(testSet), outDir);
    else
        trainer = std::make_unique<Trainer>(job.model, job.train, std::move(trainSet), std::move(testSet), outDir);
    d->trainer = std::move(trainer);
    d->trainingDataset = dataset;
    d->classNames = classNamesOrNumbers(dataset, d->trainer->model()->config.classes);
    d->pendingSteps = StepInfo();
    setTrainingState(TrainingState::Running);
    emitModelChanged();
    Q_EMIT status(tr("Training %1 on %2 → %3")
                      .arg(d->trainer->model()->config.summary(), dataset, QDir::toNativeSeparators(outDir)));
}

void Worker::flushSteps()
{
    if (d->pendingSteps.losses.isEmpty())
        return;
    d->lastStepEmit = Clock::now();
    Q_EMIT trainingStep(d->pendingSteps);
    d->pendingSteps.losses.clear();
}

void Worker::continueTraining()
{
    if (!d->trainer || trainingState() != TrainingState::Running)
        return;
    TrainerCallbacks callbacks;
    callbacks.cancelled = [this] { return trainingShouldYield(); };
    callbacks.aborted = [this] { return d->abort.load(); };  // closing the window cuts validation short
    callbacks.onStep = [this](const StepReport& r) {
        auto& s = d->pendingSteps;
        s.step = r.step;
        s.epoch = r.epoch;
        s.batchInEpoch = r.batchInEpoch;
        s.batchesPerEpoch = r.batchesPerEpoch;
        s.losses.append(r.bitsPerDim);
        s.imagesPerSecond = r.imagesPerSecond;
        s.fraction = r.fractionDone;
        s.etaSeconds = r.etaSeconds;
        if (Clock::now() - d->lastStepEmit >= kStepInterval)
            flushSteps();
    };
    callbacks.onEpoch = [this](const EpochReport& r) {
        flushSteps();
        EpochInfo info = toEpochInfo(r.record);
        info.improved = r.improved;
        // The preview grid: same seed every epoch, so the frames show the model, not the noise.
        info.grid = classGrid(d->trainer->model(), kGridPerClass, kGridSeed, [this] { return !d->abort.load(); });
        Q_EMIT epochFinished(info);
        Q_EMIT status(tr("Epoch %1: validation %2 bits/dim%3")
                          .arg(info.epoch)
                          .arg(info.validBitsPerDim, 0, 'f', 4)
                          .arg(r.improved ? tr(" (best so far)") : QString()));
    };
    Trainer::Stop stop;
    try {
        stop = d->trainer->run(callbacks);
    } catch (...) {
        flushSteps();
        setTrainingState(TrainingState::Paused);  // do not retry a failing step forever
        throw;
    }
    flushSteps();
    if (stop == Trainer::Stop::LimitReached)
        finishTraining(tr("Training finished"));
    // Cancelled: the pending request is served next, then run() continues where it stopped.
}

// Ends the training in progress: writes `last`, keeps its model for sampling.
void Worker::finishTraining(const QString& why)
{
    d->trainer->saveLast();
    d->model = d->trainer->model();
    d->model->eval();
    d->loadedState = d->trainer->state();
    d->modelPath = d->trainer->lastPath();
    d->trainer.reset();
    setTrainingState(TrainingState::Idle);
    emitModelChanged();
    Q_EMIT status(tr("%1 after %2 epochs (%3 steps); saved %4")
                      .arg(why)
                      .arg(d->loadedState.epoch)
                      .arg(d->loadedState.step)
                      .arg(QDir::toNativeSeparators(d->modelPath)));
}

// ---------------------------------------------------------------------------------------------
// Checkpoints

void Worker::executeLoad(const QString& path)
{
    Q_EMIT status(tr("Loading %1…").arg(displayPath(path)));
    auto checkpoint = pixelmix::loadCheckpoint(path);  // throws Error with a readable message
    if (d->trainer)
        finishTraining(tr("Training stopped"));
    d->model = checkpoint.model;
    d->model->eval();
    d->loadedState = checkpoint.state;
    d->modelPath = path;
    d->classNames = classNamesOrNumbers(checkpoint.state.dataset, d->model->config.classes);
    // Said before the model is announced, so that what the window says about the new model (an
    // error of its own, say) is not overwritten.
    Q_EMIT status(tr("Loaded %1 (%2)").arg(displayPath(path), d->model->config.summary()));
    emitModelChanged();
}

void Worker::executeSave(quint64 id, const QString& path)
{
    if (d->trainer) {
        // With the optimizer, so the saved file can resume; written atomically, like `last`, so a
        // failed save never costs the file that was there.
        d->trainer->saveLast();
        if (QFileInfo(path).absoluteFilePath() != QFileInfo(d->trainer->lastPath()).absoluteFilePath())
            d->trainer->saveAs(path);
    } else {
        if (!d->model)
            throw Error(tr("No model to save yet"));
        pixelmix::saveCheckpoint(path, d->loadedState, d->model, nullptr);
        d->modelPath = path;
    }
    Q_EMIT checkpointSaved(id, path);
    Q_EMIT status(tr("Saved %1").arg(QDir::toNativeSeparators(path)));
}

// ---------------------------------------------------------------------------------------------
// Images

QImage Worker::gridImage(const LevelsBlock& levels, int imagesPerRow, int padding)
{
    if (levels.isEmpty())
        return {};
    auto tensor = torch::from_blob(const_cast<char*>(levels.data.constData()),
                                   {levels.count, levels.height, levels.width}, torch::kUInt8)
                      .clone();
    return makeGrid(tensor, levels.levels, std::max(1, imagesPerRow), padding);
}

QImage Worker::upscaled(const QImage& image, int factor) { return pixelmix::upscaled(image, factor); }

}  // namespace pixelmix::ui
