package haven.classroom.isolation;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** NftablesIsolator failures that need no namespaces: they must come back as results, never exceptions. */
class NftablesIsolatorConfigTest {

    @Test
    void aMissingNftBinaryIsReportedAsNotAppliedNotThrown() {
        NftablesIsolator isolator = new NftablesIsolator(Path.of("/nonexistent/nft"), Optional.empty(), Optional.empty(), Optional.empty());
        IsolationResult result = isolator.isolate(new Machine("PC-07", "02:00:5e:91:01:02", "10.91.1.2"));

        assertFalse(result.applied());
        assertTrue(result.failure().startsWith("could not run /nonexistent/nft"), result.failure());
    }

    @Test
    void aNamespaceOptionThatLooksLikeAFlagIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NftablesIsolator(NftablesIsolator.DEFAULT_NFT, Optional.of("-all"), Optional.empty(), Optional.empty()));
        assertTrue(e.getMessage().startsWith("nftables netns must be"), e.getMessage());
    }
}
