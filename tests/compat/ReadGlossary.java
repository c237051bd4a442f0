// Reads a glossary file with OmegaT's own reader (GlossaryReaderTSV of the
// installed OmegaT.jar) and prints each entry as source<TAB>target<TAB>comment.
// Run: java -cp "/usr/share/omegat/OmegaT.jar:/usr/share/omegat/lib/*" ReadGlossary.java FILE
import java.io.File;
import java.util.List;
import org.omegat.gui.glossary.GlossaryEntry;
import org.omegat.gui.glossary.GlossaryReaderTSV;

public class ReadGlossary {
    public static void main(String[] args) throws Exception {
        File f = new File(args[0]);
        List<GlossaryEntry> entries = GlossaryReaderTSV.read(f, false);
        for (GlossaryEntry e : entries) {
            System.out.println(e.getSrcText() + "\t" + e.getLocText() + "\t" + e.getCommentText());
        }
    }
}
