import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.server.quorum.QuorumPeer.QuorumServer;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
import org.apache.zookeeper.server.quorum.flexible.QuorumMaj;
import org.apache.zookeeper.server.quorum.flexible.QuorumVerifier;

/**
 * Answers questions about dynamic configurations with ZooKeeper's own classes and the JDK's
 * hash tables, one question per line of stdin (tab-separated, fields base64-encoded):
 *
 *   host <host>                       -> how InetSocketAddress prints the host back
 *   load <text>                       -> the configuration as ZooKeeper loads and writes it back
 *   change <text> <leaving> <joining> -> the incremental change: the loaded members copied into a
 *                                       new HashMap, leavers removed, each joiner checked for
 *                                       duplicate addresses, removed and put
 *
 * Each answer is "ok <base64 text>", "config <exception>" for a ConfigException, IOException or
 * BadArgumentsException, or "runtime <exception>" for any other exception.
 */
public class ConfigOracle {
  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] fields = line.split("\t", -1);
      String answer;
      try {
        String text;
        switch (fields[0]) {
          case "host":
            text = new InetSocketAddress(decode(fields[1]), 1).getHostString();
            break;
          case "load":
            text = load(decode(fields[1]));
            break;
          default:
            text = change(decode(fields[1]), decode(fields[2]), decode(fields[3]));
        }
        answer = "ok\t" + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
      } catch (QuorumPeerConfig.ConfigException | IOException | KeeperException.BadArgumentsException e) {
        answer = "config\t" + e.getClass().getSimpleName();
      } catch (RuntimeException e) {
        answer = "runtime\t" + e.getClass().getSimpleName();
      }
      System.out.println(answer);
    }
  }

  private static String decode(String field) {
    return new String(Base64.getDecoder().decode(field), StandardCharsets.UTF_8);
  }

  private static QuorumVerifier parse(String text) throws IOException, QuorumPeerConfig.ConfigException {
    Properties properties = new Properties();
    properties.load(new StringReader(text));
    return QuorumPeerConfig.parseDynamicConfig(properties, 3, false, false, null);
  }

  private static String load(String text) throws IOException, QuorumPeerConfig.ConfigException {
    return parse(text).toString();
  }

  private static String change(String text, String leaving, String joining) throws IOException, QuorumPeerConfig.ConfigException, KeeperException.BadArgumentsException {
    QuorumVerifier current = parse(text);
    Map<Long, QuorumServer> next = new HashMap<>(current.getAllMembers());
    for (String id : leaving.isEmpty() ? new String[0] : leaving.split(",")) {
      next.remove(Long.parseLong(id));
    }
    for (String spec : joining.isEmpty() ? new String[0] : joining.split(",")) {
      String[] keyValue = spec.split("=", 2);
      long id = Long.parseLong(keyValue[0].substring(keyValue[0].lastIndexOf('.') + 1));
      QuorumServer joiner = new QuorumServer(id, keyValue[1]);
      for (QuorumServer other : next.values()) {
        if (other.id != id) joiner.checkAddressDuplicate(other);
      }
      next.remove(id);
      next.put(id, joiner);
    }
    QuorumMaj changed = new QuorumMaj(next);
    changed.setVersion(current.getVersion() + 1);
    return changed.toString();
  }
}
