// between: continuum strips from class a to class b, one PNG per pair, and the posterior and
// bits/dim along each strip.
#include "cli_common.h"
#include "cli_model.h"
#include "continuum.h"

#include <QDir>
#include <QJsonArray>

namespace pixelmix::cli {

namespace {

QJsonArray toJsonArray(const torch::Tensor& values /* 1-D */)
{
    const auto v = values.to(torch::kFloat64).contiguous();
    QJsonArray array;
    for (int64_t i = 0; i < v.numel(); ++i)
        array.append(v.data_ptr<double>()[i]);
    return array;
}

// Every number of a strip: per step the means over rows, and each row's posterior and bits/dim.
QJsonObject stripJson(const Strip& strip, const QString& png, const QImage& grid)
{
    const auto curves = stripCurves(strip);
    QJsonArray steps;
    for (int k = 0; k < strip.steps(); ++k) {
        QJsonArray posterior, bits;
        for (int r = 0; r < strip.rows(); ++r) {
            const int64_t i = int64_t(r) * strip.steps() + k;
            posterior.append(toJsonArray(strip.posterior[i]));
            bits.append(strip.bitsPerDim[i].item<double>());
        }
        steps.append(QJsonObject{{"step", k},
                                 {"weightA", 1.0 - curves.weightOfB[k]},
                                 {"weightB", curves.weightOfB[k]},
                                 {"meanPosteriorA", curves.meanA[k]},
                                 {"meanPosteriorB", curves.meanB[k]},
                                 {"meanBitsPerDim", curves.meanBits[k]},
                                 {"posterior", posterior},
                                 {"bitsPerDim", bits}});
    }
    QJsonArray seeds;
    for (int r = 0; r < strip.rows(); ++r)
        seeds.append(double(strip.request.seed + std::uint64_t(r)));
    return QJsonObject{{"a", strip.request.a}, {"b", strip.request.b}, {"png", png},
                       {"width", grid.width()}, {"height", grid.height()}, {"rowSeeds", seeds},
                       {"steps", steps}};
}

void printTable(const Strip& strip)
{
    const auto curves = stripCurves(strip);
    const int a = strip.request.a, b = strip.request.b;
    printOut(QStringLiteral("  %1  %2  %3  %4  %5")
                 .arg(QStringLiteral("step"), 4)
                 .arg(QStringLiteral("w(%1)").arg(b), 5)
                 .arg(QStringLiteral("p(%1)").arg(a), 6)
                 .arg(QStringLiteral("p(%1)").arg(b), 6)
                 .arg(QStringLiteral("bits/dim"), 8));
    for (int k = 0; k < strip.steps(); ++k)
        printOut(QStringLiteral("  %1  %2  %3  %4  %5")
                     .arg(k, 4)
                     .arg(curves.weightOfB[k], 5, 'f', 2)
                     .arg(curves.meanA[k], 6, 'f', 3)
                     .arg(curves.meanB[k], 6, 'f', 3)
                     .arg(curves.meanBits[k], 8, 'f', 4));
}

}  // namespace

int runBetween(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Continuum strips between pairs of classes: for each pair a-b, --rows rows (one seed each, --seed, "
        "--seed+1, ...) of --steps images whose class weights run from 100% a to 100% b, written as "
        "DIR/a-b.png in make_grid's layout (padding 2). By default each row shares one uniform per pixel, "
        "so the digit morphs; --independent draws each image afresh. Prints, per step, the mean posterior "
        "p(a|x), p(b|x) (Bayes' rule, uniform prior) and the bits/dim of the samples under their weights."));
    parser.addOptions({
        {"model", "Checkpoint to sample from (required).", "CKPT"},
        {"out", "Folder for the PNGs (required; created when missing).", "DIR"},
        {"pairs", "Class pairs A-B,... (default: 1-7,3-8,4-9,5-6).", "PAIRS", "1-7,3-8,4-9,5-6"},
        {"steps", "Images per row, from 100% a to 100% b (default: 11).", "N", "11"},
        {"rows", "Rows per pair, one seed each (default: 4).", "R", "4"},
        {"independent", "Independent noise for every image instead of one uniform per pixel per row."},
        {"json", "Print all numbers as one JSON document."},
    });
    addSamplingOptions(parser);
    parseArguments(parser, QStringLiteral("between"), arguments, 0, 0);
    requireOptions(parser, {"model", "out"});
    const SamplingSettings settings = readSamplingSettings(parser);
    const int steps = intOption(parser, "steps", 2, 101);
    const int rows = intOption(parser, "rows", 1, 100);
    auto checkpoint = loadCheckpoint(parser.value("model"));
    const auto& c = checkpoint.model->config;
    const auto pairs = parsePairs(parser.value("pairs"), c.classes);
    const QDir out = outputFolder(parser.value("out"));

    const bool json = parser.isSet("json");
    QJsonArray pairsJson;
    for (const auto& [a, b] : pairs) {
        const Strip strip = sampleStripWithProgress(
            checkpoint.model, stripRequest(a, b, steps, rows, settings, !parser.isSet("independent")));
        const QImage grid = stripGrid(strip, c.levels);
        const QString png = out.filePath(pairName(a, b) + QStringLiteral(".png"));
        savePng(grid, png);
        if (json) {
            pairsJson.append(stripJson(strip, png, grid));
        } else {
            printOut(QStringLiteral("%1: wrote %2 (%3x%4), %5 row(s) x %6 steps")
                         .arg(pairName(a, b), png)
                         .arg(grid.width())
                         .arg(grid.height())
                         .arg(rows)
                         .arg(steps));
            printTable(strip);
        }
    }
    if (json)
        printJson(QJsonObject{{"model", parser.value("model")},
                              {"steps", steps},
                              {"rows", rows},
                              {"seed", double(settings.seed)},
                              {"coherent", !parser.isSet("independent")},
                              {"temperature", settings.temperature},
                              {"sampler", settings.samplerName},
                              {"pairs", pairsJson}});
    return 0;
}

}  // namespace pixelmix::cli
