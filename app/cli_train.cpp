// train: fit a PixelCNN on a dataset, writing `last.pt` and `best.pt` into --out.
#include "cli_common.h"
#include "dataset.h"
#include "error.h"
#include "trainer.h"

#include <QDir>
#include <QFileInfo>

namespace pixelmix::cli {

int runTrain(const QStringList& arguments)
{
    const ModelConfig m;
    const TrainConfig t;
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Trains a class-conditional gated PixelCNN. Writes OUT/last.pt after every epoch and when it stops, "
        "and OUT/best.pt whenever the validation loss (on the test split) improves."));
    parser.addOptions({
        {"dataset", "mnist (default) or fashion-mnist.", "NAME", "mnist"},
        {"data", "A folder of train-/t10k- IDX files instead of a named dataset.", "DIR"},
        {"out", "Output folder for the checkpoints (required).", "DIR"},
        {"resume", "Continue exactly where OUT/last.pt stopped (its config and seed apply)."},
        {"epochs", "Stop after this many epochs in total (0 = no limit).", "N", QString::number(t.epochs)},
        {"minutes", "Stop after this many minutes of this run (0 = no limit).", "M", QString::number(t.minutes)},
        {"levels", "Quantisation levels K per pixel.", "K", QString::number(m.levels)},
        {"channels", "Channels per stack.", "C", QString::number(m.channels)},
        {"layers", "Gated layers.", "L", QString::number(m.layers)},
        {"kernel", "Kernel size (odd).", "K", QString::number(m.kernel)},
        {"dropout", "Dropout on the gated outputs.", "P", QString::number(m.dropout)},
        {"batch", "Images per step.", "B", QString::number(t.batchSize)},
        {"lr", "Adam learning rate.", "X", QString::number(t.learningRate)},
        {"augment", "Random shifts of up to one pixel."},
        {"validation-images", "Test images used for validation (0 = all).", "N", QString::number(t.validationImages)},
        {"threads", "LibTorch threads (0 = all cores).", "T", QString::number(t.threads)},
        {"seed", "Seed for weights, shuffling, augmentation and dropout.", "S", QString::number(t.seed)},
    });
    parseArguments(parser, QStringLiteral("train"), arguments, 0, 0);
    if (!parser.isSet("out"))
        throw Error(QStringLiteral("--out DIR is required"));
    const QString outDir = parser.value("out");
    QString source = parser.isSet("data") ? parser.value("data") : parser.value("dataset");
    const QString last = QDir(outDir).filePath(QStringLiteral("last.pt"));
    if (parser.isSet("resume")) {
        // A resumed run trains on what the checkpoint was trained on; naming other data is a mistake.
        if (!QFileInfo::exists(last))
            throw Error(QStringLiteral("%1: nothing to resume (no such checkpoint)").arg(last));
        const QString stored = loadCheckpoint(last).state.dataset;
        const bool chosen = parser.isSet("data") || parser.isSet("dataset");
        if (!stored.isEmpty() && chosen && datasetName(source) != datasetName(stored))
            throw Error(QStringLiteral("%1 was trained on %2, not %3: resume without --dataset and --data")
                            .arg(last, stored, source));
        if (!stored.isEmpty())
            source = stored;
    }

    TrainConfig train;
    train.epochs = intOption(parser, "epochs", 0, 1000000);
    train.minutes = doubleOption(parser, "minutes", 0, 1e6);
    train.threads = intOption(parser, "threads", 0, 256);
    train.batchSize = intOption(parser, "batch", 1, 4096);
    train.learningRate = doubleOption(parser, "lr", 1e-7, 1.0);
    train.augment = parser.isSet("augment");
    train.validationImages = intOption(parser, "validation-images", 0, 100000000);
    bool seedOk = false;
    train.seed = parser.value("seed").toULongLong(&seedOk);
    if (!seedOk)
        throw Error(QStringLiteral("--seed: \"%1\" is not a whole number >= 0").arg(parser.value("seed")));
    train.validate();
    if (train.epochs == 0 && train.minutes == 0)
        throw Error(QStringLiteral("give --epochs or --minutes (or both), so training knows when to stop"));

    ModelConfig model;
    model.levels = intOption(parser, "levels", 2, 256);
    model.channels = intOption(parser, "channels", 1, 1024);
    model.layers = intOption(parser, "layers", 1, 64);
    model.kernel = intOption(parser, "kernel", 1, 15);
    model.dropout = doubleOption(parser, "dropout", 0, 0.99);
    model.validate();

    Dataset trainSet = loadDataset(source, Split::Train);
    Dataset testSet = loadDataset(source, Split::Test);
    printOut(QStringLiteral("dataset %1: %2 train, %3 test images").arg(source).arg(trainSet.size()).arg(testSet.size()));

    std::unique_ptr<Trainer> trainer;
    if (parser.isSet("resume")) {
        trainer = Trainer::resume(last, train, std::move(trainSet), std::move(testSet), outDir);
        printOut(QStringLiteral("resuming in epoch %1 after %2 of its batches, step %3")
                     .arg(trainer->state().epoch + 1)
                     .arg(trainer->state().batchInEpoch)
                     .arg(trainer->state().step));
    } else {
        trainer = std::make_unique<Trainer>(model, train, std::move(trainSet), std::move(testSet), outDir);
    }
    const auto& state = trainer->state();
    printOut(QStringLiteral("model: %1; batch %2, lr %3, seed %4")
                 .arg(state.model.summary())
                 .arg(state.train.batchSize)
                 .arg(state.train.learningRate)
                 .arg(state.train.seed));

    std::unique_ptr<Progress> progress;
    int progressEpoch = -1;
    TrainerCallbacks callbacks;
    callbacks.onStep = [&](const StepReport& r) {
        if (r.epoch != progressEpoch) {
            // A resumed epoch starts part-way: its earlier batches are not this run's speed.
            progress = std::make_unique<Progress>(QStringLiteral("epoch %1").arg(r.epoch), r.batchesPerEpoch,
                                                  r.batchInEpoch - 1);
            progressEpoch = r.epoch;
        }
        progress->update(r.batchInEpoch, QStringLiteral("%1 bits/dim, %2 img/s%3")
                                             .arg(r.bitsPerDim, 0, 'f', 3)
                                             .arg(r.imagesPerSecond, 0, 'f', 0)
                                             .arg(r.etaSeconds >= 0 ? QStringLiteral(", run ends in ") +
                                                                          formatDuration(qint64(r.etaSeconds))
                                                                    : QString()));
    };
    callbacks.onEpoch = [&](const EpochReport& r) {
        if (progress)
            progress->finish();
        progress.reset();
        progressEpoch = -1;
        printOut(QStringLiteral("epoch %1: train %2 bits/dim, valid %3 bits/dim (%4 nats/image), %5 trained%6")
                     .arg(r.record.epoch)
                     .arg(r.record.trainBitsPerDim, 0, 'f', 4)
                     .arg(r.record.validBitsPerDim, 0, 'f', 4)
                     .arg(r.record.validNatsPerImage, 0, 'f', 1)
                     .arg(formatDuration(qint64(r.record.seconds)))
                     .arg(r.improved ? QStringLiteral(", new best") : QString()));
    };
    trainer->run(callbacks);
    progress.reset();  // a run that stopped mid-epoch leaves its bar where it stopped
    const QString where = state.batchInEpoch > 0
                              ? QStringLiteral("stopped in epoch %1 after %2 of its batches")
                                    .arg(state.epoch + 1)
                                    .arg(state.batchInEpoch)
                              : QStringLiteral("stopped after epoch %1").arg(state.epoch);
    // best.pt exists once an epoch has been validated; before that only last.pt does.
    const QString best = state.epochs.empty()
                             ? QStringLiteral("no epoch finished yet, so no validation and no best.pt (only last.pt)")
                             : QStringLiteral("best valid %1 bits/dim").arg(state.bestValidBitsPerDim, 0, 'f', 4);
    printOut(QStringLiteral("%1, step %2; %3; checkpoints in %4").arg(where).arg(state.step).arg(best, outDir));
    return 0;
}

}  // namespace pixelmix::cli
