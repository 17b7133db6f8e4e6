package haven.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.IncidentExport;
import haven.coordinator.Incidents;
import haven.protocol.Json;
import haven.coordinator.evidence.AuditLog;
import haven.store.Database;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "export", description = "Write one incident, its chronology and the chain proof (JSON + printable HTML).")
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--incident", required = true, description = "incident number")
    long incident;

    @Option(names = "--out", required = true, description = "folder to write incident-N.json and incident-N.html into")
    Path out;

    @Mixin
    CoordinatorDatabase target;

    @Option(names = "--by", defaultValue = "cli", description = "who is exporting (recorded in the audit trail)")
    String by;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        Clock clock = Clock.systemUTC();
        try (Database database = target.open()) {
            AuditLog audit = new AuditLog(database, clock);
            Optional<ObjectNode> export = database.transaction(c -> {
                audit.record(c, by, "export", "incident=" + incident);
                return new IncidentExport(new Incidents()).build(c, incident, by, clock.instant());
            });
            if (export.isEmpty()) {
                throw new IllegalArgumentException("no incident " + incident);
            }
            Files.writeString(out.resolve("incident-" + incident + ".json"), Json.MAPPER.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(export.get()));
            Files.writeString(out.resolve("incident-" + incident + ".html"), IncidentExport.html(export.get(), "print.css"));
            copyPrintCss(out.resolve("print.css"));
        }
        System.out.println("exported incident " + incident + " to " + out.toAbsolutePath());
        return 0;
    }

    private static void copyPrintCss(Path target) throws IOException {
        try (InputStream in = ExportCommand.class.getResourceAsStream("/haven-ui/dashboard/print.css")) {
            if (in != null) {
                Files.write(target, in.readAllBytes());
            }
        }
    }
}
