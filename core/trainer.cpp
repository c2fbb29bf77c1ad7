#include "trainer.h"

#include "error.h"
#include "likelihood.h"

#include <QDir>
#include <thread>

namespace pixelmix {

namespace {
constexpr std::uint64_t kEpochSeedStride = 1000003;  // keeps (seed, epoch) and (seed, step) streams apart

void setThreads(int threads)
{
    const int count = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
    torch::set_num_threads(count);
}
}  // namespace

std::unique_ptr<torch::optim::Optimizer> makeAdam(PixelCNN& model, double learningRate)
{
    return std::make_unique<torch::optim::Adam>(model->parameters(), torch::optim::AdamOptions(learningRate));
}

namespace {
TrainingState freshState(const ModelConfig& model, const TrainConfig& train, const QString& dataset)
{
    model.validate();
    train.validate();
    TrainingState s;
    s.model = model;
    s.train = train;
    s.dataset = dataset;
    return s;
}

PixelCNN freshModel(const TrainingState& state)
{
    torch::manual_seed(state.train.seed);  // weights, then dropout, from the seed
    return PixelCNN(state.model);
}
}  // namespace

Trainer::Trainer(const ModelConfig& modelConfig, const TrainConfig& trainConfig, const Dataset& trainSet,
                 const Dataset& testSet, const QString& outDir)
    : Trainer(freshState(modelConfig, trainConfig, trainSet.name), PixelCNN(nullptr), nullptr, trainSet, testSet,
              outDir)
{
}

Trainer::Trainer(TrainingState state, PixelCNN model, std::unique_ptr<torch::optim::Optimizer> optimizer,
                 const Dataset& trainSet, const Dataset& testSet, const QString& outDir)
    : state_(std::move(state)),
      model_(model ? std::move(model) : freshModel(state_)),
      optimizer_(std::move(optimizer)),
      outDir_(outDir)
{
    if (!optimizer_)
        optimizer_ = makeAdam(model_, state_.train.learningRate);
    const auto& c = state_.model;
    checkDatasetFits(trainSet, c);
    checkDatasetFits(testSet, c);
    trainLevels_ = quantise(trainSet.images, c.levels);
    trainLabels_ = trainSet.labels;
    testLevels_ = quantise(testSet.images, c.levels);
    testLabels_ = testSet.labels;
    if (state_.train.validationImages > 0 && state_.train.validationImages < testLevels_.size(0)) {
        testLevels_ = testLevels_.narrow(0, 0, state_.train.validationImages);
        testLabels_ = testLabels_.narrow(0, 0, state_.train.validationImages);
    }
    if (!QDir().mkpath(outDir_))
        throw Error(QStringLiteral("%1: cannot create the output folder").arg(outDir_));
    startEpoch_ = state_.epoch;
    startSeconds_ = state_.trainedSeconds;
    // Resuming mid-epoch: the running epoch loss is the tail of the step history.
    // Summed oldest first, as the uninterrupted run did, so the epoch's mean is bit-identical.
    const auto& steps = state_.stepBitsPerDim;
    const auto tail = std::min<std::int64_t>(state_.batchInEpoch, std::int64_t(steps.size()));
    for (auto i = std::int64_t(steps.size()) - tail; i < std::int64_t(steps.size()); ++i) {
        epochLossSum_ += steps[size_t(i)];
        ++epochLossCount_;
    }
}

std::unique_ptr<Trainer> Trainer::resume(const QString& checkpointPath, const TrainConfig& limits,
                                         const Dataset& trainSet, const Dataset& testSet, const QString& outDir)
{
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    auto checkpoint = loadCheckpointForResume(
        checkpointPath, [](PixelCNN& m, const TrainingState& s) { return makeAdam(m, s.train.learningRate); },
        optimizer);
    auto state = checkpoint.state;
    state.train.epochs = limits.epochs;
    state.train.minutes = limits.minutes;
    state.train.threads = limits.threads;
    checkpoint.model->train();
    return std::unique_ptr<Trainer>(
        new Trainer(std::move(state), checkpoint.model, std::move(optimizer), trainSet, testSet, outDir));
}

QString Trainer::lastPath() const { return QDir(outDir_).filePath(QStringLiteral("last.pt")); }
QString Trainer::bestPath() const { return QDir(outDir_).filePath(QStringLiteral("best.pt")); }

void Trainer::saveLast() { saveAs(lastPath()); }

void Trainer::saveAs(const QString& path) { saveCheckpoint(path, state_, model_, optimizer_.get()); }

torch::Tensor Trainer::epochOrder() const
{
    auto generator = at::detail::createCPUGenerator(state_.train.seed * kEpochSeedStride + std::uint64_t(state_.epoch));
    return torch::randperm(trainLevels_.size(0), generator, torch::kLong);
}

torch::Tensor Trainer::augment(const torch::Tensor& levels) const  // [B, H, W]
{
    auto generator = at::detail::createCPUGenerator(state_.train.seed * kEpochSeedStride + 7919 +
                                                    std::uint64_t(state_.step) * 2654435761ULL);
    const int64_t batch = levels.size(0), height = levels.size(1), width = levels.size(2);
    auto shifts = torch::randint(0, 3, {batch, 2}, generator, torch::kLong);  // 0,1,2 -> shift -1,0,+1
    auto padded = torch::constant_pad_nd(levels, {1, 1, 1, 1}, 0);           // [B, H+2, W+2]
    auto shifted = torch::empty_like(levels);
    auto s = shifts.accessor<int64_t, 2>();
    for (int64_t b = 0; b < batch; ++b)
        shifted[b].copy_(padded[b].narrow(0, s[b][0], height).narrow(1, s[b][1], width));
    return shifted;
}

bool Trainer::limitReached() const
{
    const auto& t = state_.train;
    return (t.epochs > 0 && state_.epoch >= t.epochs) || (t.minutes > 0 && secondsThisTrainer() >= t.minutes * 60.0);
}

bool Trainer::finishEpoch(const TrainerCallbacks& callbacks)
{
    const auto validation = evaluate(model_, testLevels_, testLabels_, 256, callbacks.aborted);
    if (validation.images < testLevels_.size(0))
        return false;
    state_.epoch += 1;
    state_.batchInEpoch = 0;
    EpochReport report;
    report.record.epoch = state_.epoch;
    report.record.step = state_.step;
    report.record.trainBitsPerDim = epochLossCount_ > 0 ? epochLossSum_ / double(epochLossCount_) : 0.0;
    report.record.validBitsPerDim = validation.bitsPerDim;
    report.record.validNatsPerImage = validation.natsPerImage;
    report.record.seconds = state_.trainedSeconds;
    epochLossSum_ = 0.0;
    epochLossCount_ = 0;
    state_.epochs.push_back(report.record);
    report.improved = state_.bestValidBitsPerDim == 0.0 || validation.bitsPerDim < state_.bestValidBitsPerDim;
    if (report.improved) {
        state_.bestValidBitsPerDim = validation.bitsPerDim;
        saveCheckpoint(bestPath(), state_, model_, optimizer_.get());
    }
    saveLast();
    if (callbacks.onEpoch)
        callbacks.onEpoch(report);
    return true;
}

Trainer::Stop Trainer::run(const TrainerCallbacks& callbacks)
{
    setThreads(state_.train.threads);
    torch::AutoGradMode gradients(true);
    model_->train();
    const auto& t = state_.train;
    const int64_t count = trainLevels_.size(0);
    const int64_t batchesPerEpoch = (count + t.batchSize - 1) / t.batchSize;
    auto lastTick = std::chrono::steady_clock::now();
    auto stop = [&](Stop reason) {
        model_->eval();
        return reason;
    };

    while (!limitReached()) {
        const auto order = epochOrder();
        while (state_.batchInEpoch < batchesPerEpoch && !limitReached()) {
            if (callbacks.cancelled && callbacks.cancelled())
                return stop(Stop::Cancelled);
            const int64_t start = state_.batchInEpoch * t.batchSize;
            const auto indices = order.narrow(0, start, std::min<int64_t>(t.batchSize, count - start));
            auto levels = trainLevels_.index_select(0, indices);  // [B, H, W] uint8
            if (t.augment)
                levels = augment(levels);
            const auto condition = oneHot(trainLabels_.index_select(0, indices), state_.model.classes);

            optimizer_->zero_grad();
            auto loss = natsPerPixel(model_->forward(levels, condition), levels);
            loss.backward();
            optimizer_->step();

            const double bits = natsToBitsPerDim(loss.item<double>());
            state_.stepBitsPerDim.push_back(bits);
            state_.step += 1;
            state_.batchInEpoch += 1;
            epochLossSum_ += bits;
            epochLossCount_ += 1;
            imagesThisTrainer_ += indices.size(0);
            const auto now = std::chrono::steady_clock::now();
            state_.trainedSeconds += std::chrono::duration<double>(now - lastTick).count();
            lastTick = now;

            if (callbacks.onStep) {
                StepReport r;
                r.step = state_.step;
                r.epoch = state_.epoch + 1;
                r.batchInEpoch = state_.batchInEpoch;
                r.batchesPerEpoch = batchesPerEpoch;
                r.bitsPerDim = bits;
                const double seconds = secondsThisTrainer();
                r.imagesPerSecond = seconds > 0 ? double(imagesThisTrainer_) / seconds : 0.0;
                if (t.epochs > 0) {
                    const double total = double(t.epochs - startEpoch_) * double(batchesPerEpoch);
                    const double done = double(state_.epoch - startEpoch_) * double(batchesPerEpoch) + double(state_.batchInEpoch);
                    r.fractionDone = total > 0 ? std::min(1.0, done / total) : 1.0;
                }
                if (t.minutes > 0)
                    r.fractionDone = std::max(r.fractionDone, std::min(1.0, seconds / (t.minutes * 60.0)));
                if (r.fractionDone > 0)
                    r.etaSeconds = seconds * (1.0 - r.fractionDone) / r.fractionDone;
                callbacks.onStep(r);
            }
        }
        if (state_.batchInEpoch < batchesPerEpoch)
            break;  // the minute limit fell mid-epoch
        if (!finishEpoch(callbacks))
            return stop(Stop::Cancelled);
        model_->train();
        lastTick = std::chrono::steady_clock::now();  // validation time is not training time
    }
    saveLast();
    return stop(Stop::LimitReached);
}

}  // namespace pixelmix
