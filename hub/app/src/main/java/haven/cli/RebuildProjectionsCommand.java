package haven.cli;

import haven.coordinator.Projections;
import haven.store.Database;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "rebuild-projections", description = "Rebuild the incidents, rooms, isolations and data-breach tables from the evidence log alone (the same projection live ingest runs); row ids are kept. Stop the coordinator first.")
final class RebuildProjectionsCommand implements Callable<Integer> {
    @Mixin
    CoordinatorDatabase target;

    @Override
    public Integer call() throws Exception {
        try (Database database = target.open()) {
            // The log is read and the tables rewritten in one transaction: a failure leaves them as they were.
            int changed = database.transaction(c -> Projections.rebuilt(c, rebuilt -> Projections.writeBack(c, rebuilt)));
            System.out.println("projections rebuilt from the evidence log: " + changed + " row(s) changed");
        }
        return 0;
    }
}
