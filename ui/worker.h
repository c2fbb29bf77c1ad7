#pragma once
// ui::Worker — the one object that touches LibTorch, running on its own QThread.
//
// Threading model
// ---------------
// The GUI thread never holds a tensor. Everything LibTorch does — owning the PixelCNN, training it,
// sampling from it, loading and saving checkpoints — happens on the Worker's thread (a QThread
// subclass in the style of Qt's Mandelbrot example). Communication is one-way in each direction:
//
//   requests in   Thread-safe methods (requestSample, startTraining, pauseTraining, loadCheckpoint,
//                 ...) callable from any thread. Each copies its arguments under the Worker's mutex,
//                 gets a fresh request id, wakes the thread and returns the id at once. No request
//                 ever blocks on LibTorch work.
//   results out   Signals carrying only Qt value types (QByteArray levels, QImage grids, plain
//                 structs below). They are emitted on the worker thread and reach widgets through
//                 queued connections. Every sampling result carries its request id; the window
//                 remembers the id of its newest request and drops anything older (stale results
//                 are never drawn).
//
// Inside the thread, run() loops: take the next job under the mutex, do it without the mutex.
// Job priority, highest first:
//   1. commands, in the order they were asked (train, pause, resume, stop, load, save, grid);
//   2. the pending sample request — there is at most one: a newer request replaces an older one
//      that has not started, and cancels a running one at its next pixel (the sampler's callback
//      checks the newest id and returns false). The latest request wins. A job that asks for its
//      posterior gets it after sampleFinished (posteriorReady), measured one image at a time, so a
//      newer request cancels it between images too;
//   3. continuing training, while the training state is Running.
//
// Sample vs train: a sample request (or any command) preempts training. The trainer polls its
// cancelled() callback before every batch; it says yes as soon as a sample request or a command is
// pending, Trainer::run() returns after the batch in progress, the worker serves the request and then
// calls Trainer::run() again, which continues exactly where it stopped (same epoch order, same batch).
// So moving a slider during training answers after at most one training batch, and the live model
// being trained is the one sampled.
//
// Shutdown: shutdown() sets an abort flag seen by the sampler callback, by the trainer's cancelled()
// and by the wait loop; the thread then writes the `last` checkpoint of a training in progress and
// returns. The owner calls shutdown() then wait() (the destructor does both), so closing the window
// mid-training takes at most one training batch plus one checkpoint write.
//
// Per-thread LibTorch state (intra-op thread count, grad mode) is set inside run(), on this thread.
#include "config.h"

#include <QByteArray>
#include <QImage>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QThread>
#include <QVector>

#include <memory>

namespace pixelmix::ui {

// Quantised images as one byte per pixel (level 0..levels-1), image after image, row-major.
struct LevelsBlock {
    int count = 0;
    int height = 0;
    int width = 0;
    int levels = 2;
    QByteArray data;  // count * height * width bytes

    bool isEmpty() const { return count == 0 || data.isEmpty(); }
    int pixelsPerImage() const { return height * width; }
    int at(int image, int row, int col) const
    {
        return quint8(data.at((qsizetype(image) * height + row) * width + col));
    }
};

// One sampling request: a weight vector per image (normalised by the worker), shared settings.
struct SampleJob {
    QVector<QVector<double>> weights;  // [images][classes]
    double temperature = 1.0;
    quint64 seed = 0;
    bool sharedNoise = true;  // one uniform per pixel for every image: images morph, not jump
    // With sharedNoise: each image's noise seed ([images]), so that several coherent rows, one seed
    // each, are one request; images with one seed share its noise. Empty: every image uses `seed`.
    QVector<quint64> noiseSeeds;
    bool posterior = false;  // also measure p(k | x) of every image (posteriorReady)
};

// What the worker reports about each finished image.
struct ImageInfo {
    QVector<double> weights;    // normalised class weights it was drawn with
    double bitsPerDim = 0.0;    // its negative log-likelihood under those weights
    QVector<double> posterior;  // p(k | x) with a uniform prior; empty until posteriorReady
};

struct TrainJob {
    QString dataset = QStringLiteral("mnist");  // "mnist", "fashion-mnist" or an IDX folder
    ModelConfig model;
    TrainConfig train;
    QString outDir;      // last.pt / best.pt go here
    QString resumeFrom;  // non-empty: continue this checkpoint (its configs win, except the limits)
    int trainImages = 0;  // use only the first N training images (0 = all); quick runs and tests
};

struct StepInfo {
    qint64 step = 0;            // optimizer steps so far (the last of `losses`)
    int epoch = 0;              // 1-based epoch in progress
    qint64 batchInEpoch = 0;
    qint64 batchesPerEpoch = 0;
    QVector<double> losses;     // bits/dim of steps step-losses.size()+1 .. step (batched, see worker.cpp)
    double imagesPerSecond = 0.0;
    double fraction = -1.0;     // of the run's limit, -1 without a limit
    double etaSeconds = -1.0;   // -1 when unknown
};

struct EpochInfo {
    int epoch = 0;
    qint64 step = 0;
    double trainBitsPerDim = 0.0;
    double validBitsPerDim = 0.0;
    double validNatsPerImage = 0.0;
    double seconds = 0.0;
    bool improved = false;
    QImage grid;  // 5 samples per class (one column per class), make_grid layout, 1:1
};

struct ModelInfo {
    QString path;         // checkpoint it came from (or the run's last.pt while training)
    QString summary;      // ModelConfig::summary()
    QString dataset;
    QStringList classNames;
    int classes = 10;
    int levels = 4;
    int height = 28;
    int width = 28;
    QVector<double> stepBitsPerDim;  // training history, for the plot
    QVector<EpochInfo> epochs;       // (grids empty)
};

class Worker : public QThread {
    Q_OBJECT
public:
    enum class TrainingState { Idle, Running, Paused };
    Q_ENUM(TrainingState)

    explicit Worker(QObject* parent = nullptr);
    ~Worker() override;  // shutdown() and wait()

    // --- requests: thread-safe, non-blocking; each returns its request id (ids only grow) ---
    quint64 requestSample(const SampleJob& job);
    quint64 requestGrid();  // 5 per class from the current model -> gridReady
    quint64 startTraining(const TrainJob& job);
    void pauseTraining();
    void resumeTraining();
    void stopTraining();  // writes `last`, keeps the trained model for sampling
    quint64 loadCheckpoint(const QString& path);
    quint64 saveCheckpoint(const QString& path);
    void shutdown();  // returns at once; join with wait()

    TrainingState trainingState() const;
    quint64 latestSampleId() const;

    // The make_grid layout of core::makeGrid (padding between and around tiles), 1:1. Pure
    // function, safe from any thread.
    static QImage gridImage(const LevelsBlock& levels, int imagesPerRow, int padding = 2);
    static QImage upscaled(const QImage& image, int factor);

    // Grid of the epoch previews: images per class, drawn with this seed at temperature 1.
    static constexpr int kGridPerClass = 5;
    static constexpr quint64 kGridSeed = 20160606;

Q_SIGNALS:
    // Streaming sample: the canvas so far (every image), throttled; (row, col) is the last pixel drawn.
    void sampleProgress(quint64 id, int row, int col, const pixelmix::ui::LevelsBlock& levels);
    void sampleFinished(quint64 id, const pixelmix::ui::LevelsBlock& levels,
                        const QVector<pixelmix::ui::ImageInfo>& info);
    // After sampleFinished of a job that asked for it: the same info with each posterior. Measuring
    // takes a forward pass per class, several times the sampling, so it never holds back the picture,
    // and a newer sample request cancels it (no signal then).
    void posteriorReady(quint64 id, const QVector<pixelmix::ui::ImageInfo>& info);
    void gridReady(quint64 id, const QImage& grid, int epoch);
    void trainingStep(const pixelmix::ui::StepInfo& info);
    void epochFinished(const pixelmix::ui::EpochInfo& info);
    void trainingStateChanged(pixelmix::ui::Worker::TrainingState state);
    void modelChanged(const pixelmix::ui::ModelInfo& info);
    void checkpointSaved(quint64 id, const QString& path);
    void status(const QString& message);
    void error(const QString& message);

protected:
    void run() override;

private:
    struct Command;
    struct State;
    quint64 enqueue(Command command);
    void execute(Command& command);
    void executeSample(quint64 id, const SampleJob& job);
    void executeTrain(const TrainJob& job);
    void continueTraining();
    void finishTraining(const QString& why);
    void executeGrid(quint64 id);
    void executeLoad(const QString& path);
    void executeSave(quint64 id, const QString& path);
    void setTrainingState(TrainingState state);
    void emitModelChanged();
    void flushSteps();
    bool trainingShouldYield() const;

    std::unique_ptr<State> d;
};

}  // namespace pixelmix::ui

Q_DECLARE_METATYPE(pixelmix::ui::LevelsBlock)
Q_DECLARE_METATYPE(pixelmix::ui::SampleJob)
Q_DECLARE_METATYPE(pixelmix::ui::ImageInfo)
Q_DECLARE_METATYPE(pixelmix::ui::StepInfo)
Q_DECLARE_METATYPE(pixelmix::ui::EpochInfo)
Q_DECLARE_METATYPE(pixelmix::ui::ModelInfo)
