package haven.cli;

import haven.coordinator.CaseBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "verify-bundle", description = "Check a case bundle (GET /api/incidents/{id}/bundle) with no database:"
        + " manifest hashes, chain entries, attachments. Exit 0 intact, 1 naming what changed.")
final class VerifyBundleCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "the bundle's zip file")
    Path file;

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("cannot read " + file);
        }
        CaseBundle.Check check = CaseBundle.verify(Files.readAllBytes(file));
        if (check.intact()) {
            System.out.println("bundle intact: " + check.entries() + " entries, " + check.events()
                    + " chain entries recomputed, every hash matches");
            return 0;
        }
        System.out.println("bundle BROKEN: " + check.broken().orElseThrow());
        return 1;
    }
}
