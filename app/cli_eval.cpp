// eval: test bits/dim of a checkpoint.
#include "checkpoint.h"
#include "cli_common.h"
#include "dataset.h"
#include "error.h"
#include "likelihood.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace pixelmix::cli {

int runEval(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Evaluates a checkpoint on a test split: bits/dim and nats per image, conditioned on the true labels."));
    parser.addOptions({
        {"model", "Checkpoint to evaluate (required).", "CKPT"},
        {"dataset", "mnist or fashion-mnist (default: the one it was trained on).", "NAME"},
        {"data", "A folder of train-/t10k- IDX files instead of a named dataset.", "DIR"},
        {"json", "Print the result as JSON."},
    });
    parseArguments(parser, QStringLiteral("eval"), arguments, 0, 0);
    if (!parser.isSet("model"))
        throw Error(QStringLiteral("--model CKPT is required"));
    auto checkpoint = loadCheckpoint(parser.value("model"));
    QString source = parser.isSet("data") ? parser.value("data") : parser.value("dataset");
    if (source.isEmpty())
        source = checkpoint.state.dataset.isEmpty() ? QStringLiteral("mnist") : checkpoint.state.dataset;
    const Dataset test = loadDataset(source, Split::Test);
    const auto& c = checkpoint.model->config;
    const Evaluation e = evaluate(checkpoint.model, quantise(test.images, c.levels), test.labels);
    if (parser.isSet("json")) {
        const QJsonObject json{{"model", parser.value("model")}, {"dataset", source},       {"levels", c.levels},
                               {"images", double(e.images)},     {"bitsPerDim", e.bitsPerDim},
                               {"natsPerImage", e.natsPerImage}};
        printOut(QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Indented)).trimmed());
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
