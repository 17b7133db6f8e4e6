package haven.bench;

import haven.testkit.Mosquitto;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code haven bench <scenario>}: measurements that print figures. They are not tests: nothing here runs
 * during {@code mvn verify} except a tiny smoke run. Every scenario starts its own Mosquitto on a free
 * 127.0.0.1 port, bounds every loop in count and time, and stops by itself. docs/PERFORMANCE.md explains
 * the method and holds the figures measured.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "benchmarks: latency, ingest, hubs, footprint, notify, soak, outbox (see docs/PERFORMANCE.md).",
        footer = {"", "The flags the targets in docs/PERFORMANCE.md use (each scenario's --help lists all of its own):",
                "  latency                      prints press -> dashboard frame beside the floor (raw + 2 commits + HTTP)",
                "  ingest --prefill N           also ingests into a log already holding N events; empty vs prefilled side by side",
                "  footprint --minutes N        N minutes of classroom activity; RSS must be flat over the last half",
                "  footprint --jar FILE --cds   the hub as production runs it (java -jar), with an AppCDS archive from a training start",
                "  soak --hubs N --minutes M    N hubs for M minutes at a busy school's rates, broker restart half way;",
                "                               --full-hubs, --tick-ms, --no-broker-restart",
                "  outbox --spaced N --burst N  the hub's outbox publisher alone: append -> arrival, backlog drain",
                "Common: --data DIR (the disk to measure), --keep, --log-level."},
        subcommands = {LatencyBench.class, IngestBench.class, HubsBench.class, FootprintBench.class, HubFleetCommand.class,
                NotifyBench.class, SoakBench.class, OutboxBench.class})
public final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code ./haven bench ...} runs this class on the bench module's class path, never from haven.jar. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new BenchCommand()).execute(args));
    }
}
