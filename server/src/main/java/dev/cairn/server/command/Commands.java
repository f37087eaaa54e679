package dev.cairn.server.command;

import dev.cairn.api.CairnException;
import dev.cairn.api.KeyTooLargeException;
import dev.cairn.api.NotANumberException;
import dev.cairn.api.NumericOverflowException;
import dev.cairn.api.StoreClosedException;
import dev.cairn.api.ValueTooLargeException;
import dev.cairn.server.resp.Reply;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command table and dispatcher. Each command has Redis's arity convention (positive: exactly
 * that many words including the name; negative: at least that many) and says whether it writes.
 * The dispatcher checks authentication and arity, runs the command, and turns every failure into
 * an error reply with Redis's wording, so no exception reaches the connection.
 */
public final class Commands {
    private static final Logger log = LoggerFactory.getLogger(Commands.class);

    /** One command's implementation. */
    interface Handler {
        Reply handle(Session session, List<byte[]> args);
    }

    /**
     * A table row. A writing command's keys are its arguments from {@code firstKey} on, every
     * {@code keyStep}-th one ({@code firstKey} 1, step 1 for DEL; step 2 for MSET's key-value pairs).
     */
    record Spec(String name, int arity, boolean writes, int keyStep, Handler handler) {
    }

    private static final Lock[] NO_LOCKS = new Lock[0];

    private final ServerContext context;
    private final Map<String, Spec> table = new HashMap<>();

    public Commands(ServerContext context) {
        this.context = context;
        new StringCommands(context).register(this);
        new KeyCommands(context).register(this);
        new ConnectionCommands(context, this).register(this);
    }

    void add(String name, int arity, boolean writes, Handler handler) {
        table.put(name, new Spec(name, arity, writes, 0, handler));
    }

    /** A writing command whose keys are every {@code keyStep}-th argument from the first. */
    void addMultiKey(String name, int arity, int keyStep, Handler handler) {
        table.put(name, new Spec(name, arity, true, keyStep, handler));
    }

    Collection<Spec> specs() {
        return table.values();
    }

    Spec spec(String name) {
        return table.get(name.toLowerCase(Locale.ROOT));
    }

    public Reply execute(Session session, List<byte[]> args) {
        session.countCommand();
        String name = Args.text(args.get(0)).toLowerCase(Locale.ROOT);
        Spec spec = table.get(name);
        if (spec == null) {
            return Reply.error(unknownCommand(args));
        }
        if (!session.authenticated() && !name.equals("auth") && !name.equals("hello") && !name.equals("quit")) {
            return Reply.error("NOAUTH Authentication required.");
        }
        int n = args.size();
        if ((spec.arity > 0 && n != spec.arity) || (spec.arity < 0 && n < -spec.arity)) {
            return Reply.error("ERR wrong number of arguments for '" + name + "' command");
        }
        Lock[] locks = NO_LOCKS;
        if (spec.writes) {
            if (spec.keyStep == 0) {
                locks = new Lock[] {context.stripeFor(args.get(1))};
            } else {
                List<byte[]> keys = new ArrayList<>();
                for (int i = 1; i < args.size(); i += spec.keyStep) {
                    keys.add(args.get(i));
                }
                locks = context.stripesFor(keys);
            }
            for (Lock l : locks) {
                l.lock();
            }
        }
        try {
            return spec.handler.handle(session, args);
        } catch (CommandException e) {
            return Reply.error(e.getMessage());
        } catch (NotANumberException e) {
            return Reply.error(Args.NOT_AN_INTEGER);
        } catch (NumericOverflowException e) {
            return Reply.error("ERR increment or decrement would overflow");
        } catch (ValueTooLargeException e) {
            return Reply.error("ERR string exceeds maximum allowed size (" + e.limit() + " bytes)");
        } catch (KeyTooLargeException e) {
            return Reply.error("ERR key exceeds maximum allowed size (" + e.limit() + " bytes)");
        } catch (StoreClosedException e) {
            return Reply.error("ERR server is shutting down");
        } catch (CairnException e) {
            return Reply.error("ERR " + e.getMessage());
        } catch (RuntimeException e) {
            log.error("command {} failed", name, e);
            return Reply.error("ERR internal error: " + e);
        } finally {
            for (int i = locks.length - 1; i >= 0; i--) {
                locks[i].unlock();
            }
        }
    }

    private static String unknownCommand(List<byte[]> args) {
        StringBuilder sb = new StringBuilder("ERR unknown command '").append(Args.text(args.get(0))).append("', with args beginning with: ");
        for (int i = 1; i < args.size() && i < 20; i++) {
            sb.append('\'').append(Args.text(args.get(i))).append("' ");
        }
        return sb.toString();
    }
}
