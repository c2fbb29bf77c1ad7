// sample and mix: draw images from a checkpoint and write them as a PNG in make_grid's layout.
#include "checkpoint.h"
#include "cli_common.h"
#include "cli_model.h"
#include "error.h"
#include "image_grid.h"
#include "sampler.h"

#include <QImage>

namespace pixelmix::cli {

namespace {
// The options sample and mix share.
void addSampleOptions(QCommandLineParser& parser)
{
    parser.addOptions({
        {"model", "Checkpoint to sample from (required).", "CKPT"},
        {"out", "PNG to write (required).", "FILE"},
    });
    addSamplingOptions(parser);
}

struct SamplingOptions {
    Checkpoint checkpoint;
    QString out;
    SampleRequest request;
    SamplerKind kind = SamplerKind::Cached;
};

SamplingOptions readSamplingOptions(const QCommandLineParser& parser)
{
    requireOptions(parser, {"model", "out"});
    const SamplingSettings settings = readSamplingSettings(parser);
    SamplingOptions o;
    o.request.temperature = settings.temperature;
    o.request.seed = settings.seed;
    o.kind = settings.kind;
    o.out = parser.value("out");
    o.checkpoint = loadCheckpoint(parser.value("model"));
    return o;
}

// Samples with a progress display and writes the grid; returns the levels.
torch::Tensor sampleToPng(SamplingOptions& o, int imagesPerRow)
{
    const auto levels = sampleWithProgress(o.checkpoint.model, o.request, o.kind);
    const QImage grid = makeGrid(levels, o.checkpoint.model->config.levels, imagesPerRow);
    savePng(grid, o.out);
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
    addSampleOptions(parser);
    parser.addOption({"per-class", "Rows of the grid: images per class.", "N", "5"});
    parseArguments(parser, QStringLiteral("sample"), arguments, 0, 0);
    auto o = readSamplingOptions(parser);
    const int perClass = intOption(parser, "per-class", 1, 100);
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
    addSampleOptions(parser);
    parser.addOption({"weights", "Class weights CLASS:WEIGHT,... (normalised to sum 1; required).", "W"});
    parser.addOption({"count", "Images to draw.", "N", "8"});
    parseArguments(parser, QStringLiteral("mix"), arguments, 0, 0);
    requireOptions(parser, {"weights"}, QStringLiteral("e.g. --weights 4:0.7,9:0.3"));
    auto o = readSamplingOptions(parser);
    const int count = intOption(parser, "count", 1, 1000);
    o.request.weights = parseWeights(parser.value("weights"), o.checkpoint.model->config.classes).repeat({count, 1});
    sampleToPng(o, count);
    return 0;
}

}  // namespace pixelmix::cli
