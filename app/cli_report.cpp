// report: a one-page Markdown report of a checkpoint: test bits/dim, a grid of samples, the four
// study strips with their posterior plots, and midpoint against one-hot samples.
#include "checkpoint.h"
#include "cli_common.h"
#include "cli_model.h"
#include "continuum.h"
#include "dataset.h"
#include "error.h"
#include "image_grid.h"
#include "likelihood.h"
#include "posterior_plot.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

#include <cmath>

namespace pixelmix::cli {

namespace {

// The pairs of the study, and its strips: 11 steps, so that step 5 is the 50/50 midpoint.
const char* const kStudyPairs = "1-7,3-8,4-9,5-6";
constexpr int kSteps = 11;
constexpr int kMidpoint = kSteps / 2;

// Mean over rows of a strip's bits/dim at the given steps.
double meanBitsAt(const Strip& strip, std::initializer_list<int> steps)
{
    double total = 0.0;
    for (const int k : steps)
        for (int r = 0; r < strip.rows(); ++r)
            total += strip.bitsPerDim[int64_t(r) * strip.steps() + k].item<double>();
    return total / double(steps.size() * strip.rows());
}

Evaluation evaluateWithProgress(Checkpoint& checkpoint, const Dataset& test)
{
    constexpr int kBatch = 256;
    const auto& c = checkpoint.model->config;
    Progress progress(QStringLiteral("test bits/dim on %1 images").arg(test.size()), (test.size() + kBatch - 1) / kBatch);
    qint64 batches = 0;
    const Evaluation e = evaluate(checkpoint.model, quantise(test.images, c.levels), test.labels, kBatch, [&] {
        progress.update(batches++);
        return false;
    });
    progress.finish(QStringLiteral("%1 bits/dim").arg(e.bitsPerDim, 0, 'f', 4));
    return e;
}

QString pairTable(const Strip& strip, const QStringList& names)
{
    const auto curves = stripCurves(strip);
    const QString a = names.value(curves.a), b = names.value(curves.b);
    QString text = QStringLiteral("| step | weight of %1 | p(%2 \\| x) | p(%1 \\| x) | bits/dim |\n|---:|---:|---:|---:|---:|\n")
                       .arg(b, a);
    for (int k = 0; k < strip.steps(); ++k)
        text += QStringLiteral("| %1 | %2 | %3 | %4 | %5 |\n")
                    .arg(k)
                    .arg(curves.weightOfB[k], 0, 'f', 1)
                    .arg(curves.meanA[k], 0, 'f', 3)
                    .arg(curves.meanB[k], 0, 'f', 3)
                    .arg(curves.meanBits[k], 0, 'f', 4);
    return text;
}

// What the midpoint numbers say, in a sentence or two.
QString interpretation(double oneHot, double midpoint, double decisive, double pairMass)
{
    const double difference = midpoint - oneHot;
    QString text;
    if (difference > 0.01)
        text = QStringLiteral(
                   "Midpoint samples cost %1 bits/dim more than one-hot samples (%2 against %3): the model is "
                   "less sure of its 50/50 blends than of pure classes, as expected when a mixed condition falls "
                   "between the modes it learned rather than on one of them.")
                   .arg(difference, 0, 'f', 4).arg(midpoint, 0, 'f', 4).arg(oneHot, 0, 'f', 4);
    else if (difference < -0.01)
        text = QStringLiteral(
                   "Midpoint samples cost %1 bits/dim less than one-hot samples (%2 against %3): the blends are "
                   "easier for the model than pure classes, typically because they come out with fewer or "
                   "thinner strokes, and ink is what costs bits.")
                   .arg(-difference, 0, 'f', 4).arg(midpoint, 0, 'f', 4).arg(oneHot, 0, 'f', 4);
    else
        text = QStringLiteral(
                   "Midpoint and one-hot samples cost about the same (%1 against %2 bits/dim): the model finds "
                   "its 50/50 blends as plausible as pure classes.")
                   .arg(midpoint, 0, 'f', 4).arg(oneHot, 0, 'f', 4);
    text += QLatin1Char(' ');
    if (pairMass < 0.5)
        text += QStringLiteral("At the midpoint the classifier puts only %1 of its mass on the two classes: "
                               "the blends look like neither.")
                    .arg(pairMass, 0, 'f', 2);
    else if (decisive > 0.9)
        text += QStringLiteral("At the midpoint the posterior still picks one of the two classes decisively "
                               "(mean max p = %1): a blend is drawn as one digit or the other, not as a hybrid.")
                    .arg(decisive, 0, 'f', 2);
    else if (decisive > 0.7)
        text += QStringLiteral("At the midpoint the posterior mostly leans to one of the two classes (mean max p = "
                               "%1), but not always decisively: some blends are hybrids.")
                    .arg(decisive, 0, 'f', 2);
    else
        text += QStringLiteral("At the midpoint the posterior is split between the two classes (mean max p = "
                               "%1): the blends are genuinely ambiguous.")
                    .arg(decisive, 0, 'f', 2);
    return text;
}

}  // namespace

int runReport(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Writes a one-page report into DIR: grid.png (one column per class), the strips 1-7, 3-8, 4-9 and 5-6 "
        "(a-b.png, 11 steps from 100% a to 100% b, coherent noise, one row per seed) with their posterior "
        "plots (posterior-a-b.png), and report.md with the test bits/dim, the posterior along each strip and "
        "the bits/dim of midpoint samples against one-hot ones."));
    parser.addOptions({
        {"model", "Checkpoint to report on (required).", "CKPT"},
        {"out", "Folder for the report (required; created when missing).", "DIR"},
        {"rows", "Rows per strip, one seed each (default: 4).", "R", "4"},
        {"per-class", "Samples per class in grid.png (default: 5).", "N", "5"},
    });
    addSamplingOptions(parser);
    addDatasetOptions(parser);
    parseArguments(parser, QStringLiteral("report"), arguments, 0, 0);
    requireOptions(parser, {"model", "out"});
    const SamplingSettings settings = readSamplingSettings(parser);
    const int rows = intOption(parser, "rows", 1, 100);
    const int perClass = intOption(parser, "per-class", 1, 100);
    auto checkpoint = loadCheckpoint(parser.value("model"));
    const auto& c = checkpoint.model->config;
    if (c.classes < 10)
        throw Error(QStringLiteral("%1: the report's pairs need 10 classes, the model has %2")
                        .arg(parser.value("model"))
                        .arg(c.classes));
    const QString source = datasetSource(parser, checkpoint);
    const Dataset test = loadDataset(source, Split::Test);
    checkDatasetFits(test, checkpoint.model->config);
    const QStringList names = classNames(checkpoint);
    const QDir out = outputFolder(parser.value("out"));

    const Evaluation evaluation = evaluateWithProgress(checkpoint, test);

    SampleRequest gridRequest;
    gridRequest.weights = torch::eye(c.classes).repeat({perClass, 1});  // image r * classes + k is of class k
    gridRequest.temperature = settings.temperature;
    gridRequest.seed = settings.seed;
    savePng(makeGrid(sampleWithProgress(checkpoint.model, gridRequest, settings.kind), c.levels, c.classes),
            out.filePath(QStringLiteral("grid.png")));

    const QString model = QFileInfo(parser.value("model")).fileName();
    const auto& state = checkpoint.state;
    QString md = QStringLiteral("# PixelMix report: %1\n\n").arg(model);
    md += QStringLiteral("Model: %1, %2 classes; trained on %3 for %4 epoch(s), %5 steps, %6 of training.  \n")
              .arg(c.summary())
              .arg(c.classes)
              .arg(state.dataset.isEmpty() ? QStringLiteral("(not recorded)") : state.dataset)
              .arg(state.epoch)
              .arg(state.step)
              .arg(formatDuration(qint64(state.trainedSeconds)));
    md += QStringLiteral("Sampling: temperature %1, %2 sampler, seeds %3 to %4 (one per strip row), coherent noise "
                         "(one uniform per pixel along each row).\n\n")
              .arg(settings.temperature)
              .arg(settings.samplerName)
              .arg(settings.seed)
              .arg(settings.seed + std::uint64_t(rows - 1));
    md += QStringLiteral("## Test likelihood\n\n**%1 bits/dim** on the %2 test split (%3 images, %4 levels), "
                         "conditioned on the true labels (%5 nats/image).\n\n")
              .arg(evaluation.bitsPerDim, 0, 'f', 4)
              .arg(source)
              .arg(evaluation.images)
              .arg(c.levels)
              .arg(evaluation.natsPerImage, 0, 'f', 2);
    md += QStringLiteral("## Samples\n\nOne column per class, %1 per class.\n\n![Samples, one column per class](grid.png)\n\n")
              .arg(perClass);
    md += QStringLiteral("## Between classes\n\nEach strip runs from 100% a (left) to 100% b (right) in %1 steps, "
                         "one row per seed. The tables give the posterior p(k | x) by Bayes' rule with a uniform "
                         "prior and the bits/dim of the samples under the weights they were drawn with, each the "
                         "mean over the %2 row(s).\n\n")
              .arg(kSteps)
              .arg(rows);

    QString midpointTable = QStringLiteral(
        "| pair | one-hot bits/dim (w = 0 and 1) | midpoint bits/dim (w = 0.5) | difference | p(a) + p(b) at midpoint "
        "| max(p(a), p(b)) at midpoint |\n|---|---:|---:|---:|---:|---:|\n");
    double oneHotTotal = 0.0, midpointTotal = 0.0, decisiveTotal = 0.0, massTotal = 0.0;
    const auto pairs = parsePairs(QLatin1String(kStudyPairs), c.classes);
    for (const auto& [a, b] : pairs) {
        const Strip strip = sampleStripWithProgress(checkpoint.model, stripRequest(a, b, kSteps, rows, settings, true));
        const QString name = pairName(a, b);
        savePng(stripGrid(strip, c.levels), out.filePath(name + QStringLiteral(".png")));
        PosteriorPlotOptions plot;
        plot.nameA = names.value(a);
        plot.nameB = names.value(b);
        savePng(plotPosterior(stripCurves(strip), plot), out.filePath(QStringLiteral("posterior-%1.png").arg(name)));

        md += QStringLiteral("### %1 \u2192 %2\n\n![Strip %3](%3.png)\n\n![Posterior along %3](posterior-%3.png)\n\n%4\n")
                  .arg(names.value(a), names.value(b), name, pairTable(strip, names));

        const auto curves = stripCurves(strip);
        const double oneHot = meanBitsAt(strip, {0, kSteps - 1});
        const double midpoint = meanBitsAt(strip, {kMidpoint});
        double decisive = 0.0;
        for (int r = 0; r < rows; ++r)
            decisive += std::max(curves.rowA[r][kMidpoint], curves.rowB[r][kMidpoint]) / rows;
        const double mass = curves.meanA[kMidpoint] + curves.meanB[kMidpoint];
        midpointTable += QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 |\n")
                             .arg(name)
                             .arg(oneHot, 0, 'f', 4)
                             .arg(midpoint, 0, 'f', 4)
                             .arg(midpoint - oneHot, 0, 'f', 4)
                             .arg(mass, 0, 'f', 3)
                             .arg(decisive, 0, 'f', 3);
        oneHotTotal += oneHot / double(pairs.size());
        midpointTotal += midpoint / double(pairs.size());
        decisiveTotal += decisive / double(pairs.size());
        massTotal += mass / double(pairs.size());
    }
    midpointTable += QStringLiteral("| **all** | **%1** | **%2** | **%3** | **%4** | **%5** |\n")
                         .arg(oneHotTotal, 0, 'f', 4)
                         .arg(midpointTotal, 0, 'f', 4)
                         .arg(midpointTotal - oneHotTotal, 0, 'f', 4)
                         .arg(massTotal, 0, 'f', 3)
                         .arg(decisiveTotal, 0, 'f', 3);
    md += QStringLiteral("## Midpoints against one-hot samples\n\nBits/dim of each sample under the weights it was "
                         "drawn with, mean over rows: the 50/50 midpoints against the one-hot ends of the strips.\n\n") +
          midpointTable + QLatin1Char('\n') +
          interpretation(oneHotTotal, midpointTotal, decisiveTotal, massTotal) + QLatin1Char('\n');

    const QString reportPath = out.filePath(QStringLiteral("report.md"));
    QSaveFile file(reportPath);
    if (!file.open(QIODevice::WriteOnly) || file.write(md.toUtf8()) < 0 || !file.commit())
        throw Error(QStringLiteral("%1: cannot write the report (%2)").arg(reportPath, file.errorString()));
    printOut(QStringLiteral("wrote %1 with grid.png, %2 strips and their posterior plots")
                 .arg(reportPath)
                 .arg(pairs.size()));
    printOut(QStringLiteral("test: %1 bits/dim; midpoints %2 bits/dim against %3 for one-hot samples")
                 .arg(evaluation.bitsPerDim, 0, 'f', 4)
                 .arg(midpointTotal, 0, 'f', 4)
                 .arg(oneHotTotal, 0, 'f', 4));
    return 0;
}

}  // namespace pixelmix::cli
