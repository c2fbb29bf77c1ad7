#pragma once
// Checkpoints: one file holding the model config, the weights, the optimizer state, the training
// counters, the RNG state and the loss history, written atomically (QSaveFile) so that a crash
// or a full disk never leaves a half-written file in place of a good one.
#include "config.h"
#include "pixelcnn.h"

#include <QString>
#include <vector>

namespace pixelmix {

struct EpochRecord {
    int epoch = 0;                  // 1-based: the epoch just finished
    std::int64_t step = 0;          // optimizer steps so far
    double trainBitsPerDim = 0.0;   // mean training loss over the epoch
    double validBitsPerDim = 0.0;   // on the test split
    double validNatsPerImage = 0.0;
    double seconds = 0.0;           // training seconds so far
};

struct TrainingState {
    ModelConfig model;
    TrainConfig train;
    QString dataset;                 // "mnist", "fashion-mnist" or a folder
    int epoch = 0;                   // epochs finished
    std::int64_t batchInEpoch = 0;   // batches done in the current epoch (exact resume)
    std::int64_t step = 0;           // optimizer steps in total
    double trainedSeconds = 0.0;
    double bestValidBitsPerDim = 0.0;  // 0 = none yet
    std::vector<double> stepBitsPerDim;  // training loss per step
    std::vector<EpochRecord> epochs;

    QJsonObject toJson() const;
    static TrainingState fromJson(const QJsonObject& json);  // Error on missing fields
};

// Everything a checkpoint holds. `optimizer` may be null (e.g. a model saved for sampling only).
struct Checkpoint {
    TrainingState state;
    PixelCNN model{nullptr};
};

void saveCheckpoint(const QString& path, const TrainingState& state, PixelCNN& model,
                    torch::optim::Optimizer* optimizer);

// Rebuilds the model from the config stored in the file. Throws Error naming the file when it is
// missing, corrupt, not a PixelMix checkpoint, or its weights do not fit its config.
Checkpoint loadCheckpoint(const QString& path);

// As loadCheckpoint, and also restores the optimizer and the global RNG state for an exact resume.
// makeOptimizer builds the optimizer for the rebuilt model from the stored state; its saved
// moments and step counts are then loaded into it.
using OptimizerFactory = std::function<std::unique_ptr<torch::optim::Optimizer>(PixelCNN&, const TrainingState&)>;
Checkpoint loadCheckpointForResume(const QString& path, const OptimizerFactory& makeOptimizer,
                                   std::unique_ptr<torch::optim::Optimizer>& optimizer);

}  // namespace pixelmix
