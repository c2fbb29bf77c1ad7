// pixelmix: the desktop studio. Everything lives in ui::MainWindow; this only sets up the application.
#include "main_window.h"
#include "posterior_chart.h"
#include "sample_canvas.h"

#include <QApplication>
#include <QCommandLineParser>

#include <cstdio>

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
    QCommandLineOption showPair(QStringLiteral("show-pair"),
                                QStringLiteral("Show the strip between two classes with its posterior, as the pair buttons "
                                               "do, and print a line once both are on screen (scripts wait for it)."),
                                QStringLiteral("A-B"));
    parser.addOption(showPair);
    parser.process(app);

    pixelmix::ui::MainWindowOptions options;
    options.restoreSettings = !parser.isSet(fresh);
    if (!parser.positionalArguments().isEmpty()) {
        options.startupCheckpoint = parser.positionalArguments().first();
        options.preferStartupCheckpoint = true;
    }
    options.showPair = parser.value(showPair);
    pixelmix::ui::MainWindow window(options);
    if (!options.showPair.isEmpty()) {
        auto reportShown = [&window, announced = false]() mutable {
            const bool stripShown = window.canvas()->isComplete() && window.canvas()->currentId() == window.currentSampleId();
            if (announced || !stripShown || window.posteriorChart()->shownId() != window.currentSampleId())
                return;
            announced = true;
            std::printf("pixelmix: the strip and its posterior are on screen\n");
            std::fflush(stdout);
        };
        QObject::connect(&window, &pixelmix::ui::MainWindow::sampleShown, &window, reportShown);
        QObject::connect(window.posteriorChart(), &pixelmix::ui::PosteriorChart::shown, &window, reportShown);
    }
    window.show();
    return app.exec();
}
