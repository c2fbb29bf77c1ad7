// eval: test bits/dim of a checkpoint.
#include "checkpoint.h"
#include "cli_common.h"
#include "cli_model.h"
#include "dataset.h"
#include "error.h"
#include "likelihood.h"

#include <QJsonObject>

namespace pixelmix::cli {

int runEval(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Evaluates a checkpoint on a test split: bits/dim and nats per image, conditioned on the true labels."));
    parser.addOptions({
        {"model", "Checkpoint to evaluate (required).", "CKPT"},
        {"json", "Print the result as JSON."},
    });
    addDatasetOptions(parser);
    parseArguments(parser, QStringLiteral("eval"), arguments, 0, 0);
    requireOptions(parser, {"model"});
    auto checkpoint = loadCheckpoint(parser.value("model"));
    const QString source = datasetSource(parser, checkpoint);
    const Dataset test = loadDataset(source, Split::Test);
    const auto& c = checkpoint.model->config;
    checkDatasetFits(test, c);
    const Evaluation e = evaluate(checkpoint.model, quantise(test.images, c.levels), test.labels);
    if (parser.isSet("json")) {
        const QJsonObject json{{"model", parser.value("model")}, {"dataset", source},       {"levels", c.levels},
                               {"images", double(e.images)},     {"bitsPerDim", e.bitsPerDim},
                               {"natsPerImage", e.natsPerImage}};
        printJson(json);
    } else {
        printOut(QStringLiteral("%1 on %2 test (%3 images, %4 levels): %5 bits/dim, %6 nats/image")
                     .arg(parser.value("model"), source)
                     .arg(e.images)
                     .arg(c.levels)
                     .arg(e.bitsPerDim, 0, 'f', 4)
                     .arg(e.natsPerImage, 0, 'f', 2));
    }
    return 0;
}

}  // namespace pixelmix::cli
