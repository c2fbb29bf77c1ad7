#pragma once
// Training: Adam on the per-pixel cross-entropy, validation on the test split every epoch, the
// `last` and `best` checkpoints, progress callbacks and cancellation. run() returns when a limit
// is reached or when cancelled; calling it again continues exactly where it stopped (pause).
#include "checkpoint.h"
#include "dataset.h"

#include <chrono>
#include <functional>
#include <memory>

namespace pixelmix {

struct StepReport {
    std::int64_t step = 0;             // optimizer steps so far
    int epoch = 0;                     // 1-based epoch in progress
    std::int64_t batchInEpoch = 0;     // batches done in this epoch
    std::int64_t batchesPerEpoch = 0;
    double bitsPerDim = 0.0;           // this batch's training loss
    double imagesPerSecond = 0.0;      // since this Trainer started, pauses excluded
    double fractionDone = -1.0;        // of the epoch/minute limit, in [0, 1]; -1 without a limit
    double etaSeconds = -1.0;          // until the limit; -1 when unknown
};

struct EpochReport {
    EpochRecord record;
    bool improved = false;  // a new best validation bits/dim (best checkpoint written)
};

struct TrainerCallbacks {
    std::function<void(const StepReport&)> onStep;
    std::function<void(const EpochReport&)> onEpoch;
    std::function<bool()> cancelled;  // polled before every batch
    // Polled also between validation batches: stops a validation in progress (the epoch is then
    // validated again by the next run()). Only for giving up, e.g. when the app closes.
    std::function<bool()> aborted;
};

class Trainer {
public:
    // A fresh run: weights initialised from trainConfig.seed. Checkpoints go to outDir (created).
    Trainer(const ModelConfig& model, const TrainConfig& train, const Dataset& trainSet, const Dataset& testSet,
            const QString& outDir);
    // Resumes from a checkpoint written by a Trainer; its configs replace the given ones, except the
    // limits (epochs, minutes) and threads of `limits`, which apply to the new run.
    static std::unique_ptr<Trainer> resume(const QString& checkpointPath, const TrainConfig& limits,
                                           const Dataset& trainSet, const Dataset& testSet, const QString& outDir);

    enum class Stop { LimitReached, Cancelled };
    Stop run(const TrainerCallbacks& callbacks);

    // Writes `last` now (e.g. on Stop, or when the window closes mid-training).
    void saveLast();
    // Writes the same resumable checkpoint (optimizer included) to another path, atomically.
    void saveAs(const QString& path);
    PixelCNN& model() { return model_; }
    const TrainingState& state() const { return state_; }
    QString lastPath() const;
    QString bestPath() const;

private:
    Trainer(TrainingState state, PixelCNN model, std::unique_ptr<torch::optim::Optimizer> optimizer,
            const Dataset& trainSet, const Dataset& testSet, const QString& outDir);
    torch::Tensor epochOrder() const;              // the shuffle of the current epoch, from (seed, epoch)
    torch::Tensor augment(const torch::Tensor& levels) const;  // random shifts, from (seed, step)
    bool finishEpoch(const TrainerCallbacks& callbacks);       // false when aborted during validation
    double secondsThisTrainer() const { return state_.trainedSeconds - startSeconds_; }
    bool limitReached() const;

    TrainingState state_;
    PixelCNN model_;
    std::unique_ptr<torch::optim::Optimizer> optimizer_;
    torch::Tensor trainLevels_, trainLabels_, testLevels_, testLabels_;
    QString outDir_;
    // Where this Trainer started: the epoch and minute limits, images/s and the ETA count from here,
    // across pauses (several run() calls).
    int startEpoch_ = 0;
    double startSeconds_ = 0.0;
    std::int64_t imagesThisTrainer_ = 0;
    double epochLossSum_ = 0.0;
    std::int64_t epochLossCount_ = 0;
};

std::unique_ptr<torch::optim::Optimizer> makeAdam(PixelCNN& model, double learningRate);

}  // namespace pixelmix
