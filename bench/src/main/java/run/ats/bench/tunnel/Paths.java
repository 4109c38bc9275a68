package run.ats.bench.tunnel;

import run.ats.testkit.ServiceProcess;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ways to reach one relay that the benchmark compares: straight to its port, through nginx
 * as a WebSocket reverse proxy, through an {@code ssh -R} reverse tunnel, and through the ATS
 * broker. Each path's own processes run on core 0 beside the relay.
 */
final class Paths {

    /** One way in: where the socket connects, the URI the WebSocket names, and the processes of the path itself. */
    record Path_(String name, InetSocketAddress connectTo, URI uri, List<Process> processes, List<Long> pids) implements AutoCloseable {
        @Override
        public void close() {
            for (Process process : processes) {
                process.descendants().forEach(ProcessHandle::destroy);
                process.destroy();
            }
        }
    }

    private Paths() {
    }

    static Path_ direct(int relayPort) {
        return new Path_("direct", new InetSocketAddress(InetAddress.getLoopbackAddress(), relayPort),
                URI.create("ws://127.0.0.1:" + relayPort + "/v1/ws"), List.of(), List.of());
    }

    static Path_ ats(int brokerPublicPort, String name, long brokerPid) {
        return new Path_("ATS tunnel", new InetSocketAddress(InetAddress.getLoopbackAddress(), brokerPublicPort),
                URI.create("ws://" + name + ".relays.localhost:" + brokerPublicPort + "/v1/ws"), List.of(), List.of(brokerPid));
    }

    static Path_ nginx(int relayPort, Path dir) throws Exception {
        int port = ServiceProcess.freePort();
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, """
                worker_processes 1;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/nginx-error.log warn;
                worker_rlimit_nofile 16384;
                events { worker_connections 8192; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/body; proxy_temp_path %1$s/proxy; fastcgi_temp_path %1$s/fastcgi;
                  uwsgi_temp_path %1$s/uwsgi; scgi_temp_path %1$s/scgi;
                  server {
                    listen 127.0.0.1:%2$d;
                    location / {
                      proxy_pass http://127.0.0.1:%3$d;
                      proxy_http_version 1.1;
                      proxy_set_header Upgrade $http_upgrade;
                      proxy_set_header Connection "upgrade";
                      proxy_set_header Host $host;
                      proxy_read_timeout 3600s;
                      proxy_buffering off;
                    }
                  }
                }
                """.formatted(dir, port, relayPort));
        Process nginx = new ProcessBuilder("taskset", "-c", "0", "/usr/sbin/nginx", "-c", conf.toString(), "-p", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        awaitPort(port, nginx);
        return new Path_("nginx", new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                URI.create("ws://127.0.0.1:" + port + "/v1/ws"), List.of(nginx), tree(nginx));
    }

    static Path_ sshReverse(int relayPort, Path dir) throws Exception {
        Files.createDirectories(Path.of("/run/sshd"));
        run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host").toString());
        run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("client").toString());
        Files.copy(dir.resolve("client.pub"), dir.resolve("authorized_keys"));
        int sshdPort = ServiceProcess.freePort();
        int forwarded = ServiceProcess.freePort();
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, """
                Port %d
                ListenAddress 127.0.0.1
                HostKey %s/host
                PidFile %s/sshd.pid
                AuthorizedKeysFile %s/authorized_keys
                PermitRootLogin prohibit-password
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                UsePAM no
                AllowTcpForwarding yes
                StrictModes no
                MaxStartups 1000
                """.formatted(sshdPort, dir, dir, dir));
        Process sshd = new ProcessBuilder("taskset", "-c", "0", "/usr/sbin/sshd", "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.out").toFile()).start();
        awaitPort(sshdPort, sshd);
        Process ssh = new ProcessBuilder("taskset", "-c", "0", "ssh", "-N", "-o", "ExitOnForwardFailure=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-i", dir.resolve("client").toString(), "-p", Integer.toString(sshdPort),
                "-R", forwarded + ":127.0.0.1:" + relayPort, "root@127.0.0.1")
                .redirectErrorStream(true).redirectOutput(dir.resolve("ssh.out").toFile()).start();
        awaitPort(forwarded, ssh);
        List<Long> pids = new ArrayList<>(tree(sshd));
        pids.addAll(tree(ssh));
        return new Path_("ssh -R", new InetSocketAddress(InetAddress.getLoopbackAddress(), forwarded),
                URI.create("ws://127.0.0.1:" + forwarded + "/v1/ws"), List.of(ssh, sshd), pids);
    }

    /** A process and its descendants, now (sshd forks a child per session). */
    static List<Long> tree(Process process) {
        List<Long> pids = new ArrayList<>(List.of(process.pid()));
        process.descendants().forEach(child -> pids.add(child.pid()));
        return pids;
    }

    private static void run(Path dir, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }

    private static void awaitPort(int port, Process process) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (!process.isAlive()) {
                throw new IllegalStateException(process.info().command().orElse("process") + " exited");
            }
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("nothing listens on " + port);
    }

}
