/*
 * Alloc.java: the JVM that hsstat's tests and benchmark watch.
 *
 * It allocates about half a megabyte of garbage every few milliseconds
 * (young collections), keeps a slowly rotating live set (the old generation
 * and the survivor spaces have something in them), and pauses while a file
 * called "pause" exists in its working directory, saying "paused" and then
 * "running" on stdout: a test compares readings of an idle JVM there.
 * With an argument N it allocates for N rounds, runs System.gc() (a full
 * collection) and exits.
 *
 *   javac -d DIR Alloc.java && java -Xmx64m -cp DIR Alloc [N]
 */
import java.io.File;

public class Alloc {
    static Object[] sink = new Object[64];
    static Object[] live = new Object[4096];

    public static void main(String[] args) throws Exception {
        long rounds = args.length > 0 ? Long.parseLong(args[0]) : Long.MAX_VALUE;
        File pause = new File("pause");
        long kept = 0;
        System.out.println("ready");
        System.out.flush();
        for (long r = 0; r < rounds; r++) {
            for (int i = 0; i < 2048; i++) {
                sink[i % sink.length] = new byte[256];
                if (i % 64 == 0)
                    live[(int) (kept++ % live.length)] = new byte[1024];
            }
            if (pause.exists()) {
                System.out.println("paused");
                System.out.flush();
                while (pause.exists())
                    Thread.sleep(20);
                System.out.println("running");
                System.out.flush();
            }
            Thread.sleep(5);
        }
        System.gc();
    }
}
