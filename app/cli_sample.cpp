// sample and mix: draw images from a checkpoint and write them as a PNG in make_grid's layout.
#include "checkpoint.h"
#include "cli_common.h"
#include "error.h"
#include "image_grid.h"
#include "sampler.h"

#include <QImage>

namespace pixelmix::cli {

namespace {
// The options sample and mix share.
void addSamplingOptions(QCommandLineParser& parser)
{
    parser.addOptions({
        {"model", "Checkpoint to sample from (required).", "CKPT"},
        {"out", "PNG to write (required).", "FILE"},
        {"temperature", "Divides the logits; 0 = argmax.", "T", "1"},
        {"seed", "Seed of the per-pixel noise.", "S", "1"},
        {"sampler", "cached (fast, default) or naive (the reference: reruns the network per pixel).", "NAME", "cached"},
    });
}

struct SamplingOptions {
    Checkpoint checkpoint;
    QString out;
    SampleRequest request;
    SamplerKind kind = SamplerKind::Cached;
};

SamplingOptions readSamplingOptions(const QCommandLineParser& parser)
{
    for (const char* required : {"model", "out"})
        if (!parser.isSet(required))
            throw Error(QStringLiteral("--%1 is required").arg(QLatin1String(required)));
    SamplingOptions o;
    bool ok = false;
    o.request.temperature = parser.value("temperature").toDouble(&ok);
    if (!ok || o.request.temperature < 0)
        throw Error(QStringLiteral("--temperature: \"%1\" is not a number >= 0").arg(parser.value("temperature")));
    o.request.seed = parser.value("seed").toULongLong(&ok);
    if (!ok)
        throw Error(QStringLiteral("--seed: \"%1\" is not a whole number >= 0").arg(parser.value("seed")));
    const QString sampler = parser.value("sampler");
    if (sampler != QLatin1String("cached") && sampler != QLatin1String("naive"))
        throw Error(QStringLiteral("--sampler: \"%1\" is neither cached nor naive").arg(sampler));
    o.kind = sampler == QLatin1String("naive") ? SamplerKind::Naive : SamplerKind::Cached;
    o.out = parser.value("out");
    o.checkpoint = loadCheckpoint(parser.value("model"));
    return o;
}

// Samples with a progress display and writes the grid; returns the levels.
torch::Tensor sampleToPng(SamplingOptions& o, int imagesPerRow)
{
    const auto& c = o.checkpoint.model->config;
    const int64_t images = o.request.weights.size(0);
    Progress progress(QStringLiteral("sampling %1 images").arg(images), c.height * c.width);
    const auto levels = sample(o.checkpoint.model, o.request, o.kind, [&](int row, int col, const torch::Tensor&) {
        progress.update(row * c.width + col + 1);
        return true;
    });
    progress.finish();
    const QImage grid = makeGrid(levels, c.levels, imagesPerRow);
    if (!grid.save(o.out, "PNG"))
        throw Error(QStringLiteral("%1: cannot write the PNG").arg(o.out));
    printOut(QStringLiteral("wrote %1 (%2x%3)").arg(o.out).arg(grid.width()).arg(grid.height()));
    return levels;
}
}  // namespace

int runSample(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Samples a grid with one column per class and --per-class rows (28x28 tiles framed and separated "
        "by 2 black pixels, as torchvision's make_grid with padding=2)."));
    addSamplingOptions(parser);
    parser.addOption({"per-class", "Rows of the grid: images per class.", "N", "5"});
    parseArguments(parser, QStringLiteral("sample"), arguments, 0, 0);
    auto o = readSamplingOptions(parser);
    bool ok = false;
    const int perClass = parser.value("per-class").toInt(&ok);
    if (!ok || perClass < 1 || perClass > 100)
        throw Error(QStringLiteral("--per-class: \"%1\" is not a whole number in 1..100").arg(parser.value("per-class")));
    const int classes = o.checkpoint.model->config.classes;
    // Row-major: image r * classes + k is of class k.
    o.request.weights = torch::eye(classes).repeat({perClass, 1});
    sampleToPng(o, classes);
    return 0;
}

int runMix(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Samples --count images conditioned on soft class weights such as 4:0.7,9:0.3, laid out in one row."));
    addSamplingOptions(parser);
    parser.addOption({"weights", "Class weights CLASS:WEIGHT,... (normalised to sum 1; required).", "W"});
    parser.addOption({"count", "Images to draw.", "N", "8"});
    parseArguments(parser, QStringLiteral("mix"), arguments, 0, 0);
    if (!parser.isSet("weights"))
        throw Error(QStringLiteral("--weights is required, e.g. --weights 4:0.7,9:0.3"));
    auto o = readSamplingOptions(parser);
    bool ok = false;
    const int count = parser.value("count").toInt(&ok);
    if (!ok || count < 1 || count > 1000)
        throw Error(QStringLiteral("--count: \"%1\" is not a whole number in 1..1000").arg(parser.value("count")));
    o.request.weights = parseWeights(parser.value("weights"), o.checkpoint.model->config.classes).repeat({count, 1});
    sampleToPng(o, count);
    return 0;
}

}  // namespace pixelmix::cli
