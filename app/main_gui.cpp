// pixelmix: the desktop studio. Everything lives in ui::MainWindow; this only sets up the application.
#include "main_window.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("PixelMix"));
    QApplication::setApplicationName(QStringLiteral("pixelmix"));
    QApplication::setApplicationDisplayName(QStringLiteral("PixelMix"));
    QApplication::setApplicationVersion(QStringLiteral(PIXELMIX_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Class-conditional gated PixelCNNs on MNIST: mix, sample, train."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("checkpoint"), QStringLiteral("A checkpoint to open (optional)."));
    QCommandLineOption fresh(QStringLiteral("fresh"), QStringLiteral("Ignore the remembered window layout and settings."));
    parser.addOption(fresh);
    parser.process(app);

    pixelmix::ui::MainWindowOptions options;
    options.restoreSettings = !parser.isSet(fresh);
    if (!parser.positionalArguments().isEmpty()) {
        options.startupCheckpoint = parser.positionalArguments().first();
        options.preferStartupCheckpoint = true;
    }
    pixelmix::ui::MainWindow window(options);
    window.show();
    return app.exec();
}
