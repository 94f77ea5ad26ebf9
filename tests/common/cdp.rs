//! A small Chrome DevTools Protocol client for the browser tests, over
//! chromium's debugging pipe (`--remote-debugging-pipe`: the browser reads
//! commands on fd 3 and writes replies and events on fd 4, each a JSON
//! message ending in NUL; the transport Playwright uses). No port, no
//! websocket, no client crate: std, serde_json, and libc for the two fds.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// How long any one command or wait may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(60);

/// Debian's chromium, which .ci/run installs; None when it is missing.
pub fn chromium() -> Option<&'static str> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists())
}

/// A headless chromium with one page attached.
pub struct Browser {
    child: Child,
    to_browser: std::io::PipeWriter,
    from_browser: Receiver<Value>,
    next_id: u64,
    session: String,
    /// Every event received so far, in order.
    pub events: Vec<Value>,
    profile: PathBuf,
}

impl Browser {
    /// Starts chromium headless, with nothing that reaches the network,
    /// and opens a blank page with the runtime, log, network and page
    /// events on.
    pub fn launch(chromium: &str, profile: &Path, width: u32, height: u32) -> Browser {
        let (commands_read, commands_write) = std::io::pipe().unwrap();
        let (replies_read, replies_write) = std::io::pipe().unwrap();
        let (fd3, fd4) = (commands_read.as_raw_fd(), replies_write.as_raw_fd());
        let mut command = Command::new(chromium);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                "--remote-debugging-pipe",
                // Any request that does leave the page fails instead of
                // reaching the network.
                "--host-resolver-rules=MAP * ~NOTFOUND",
            ])
            .arg(format!("--window-size={width},{height}"))
            .arg(format!("--user-data-dir={}", profile.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: between fork and exec only async-signal-safe calls
        // (fcntl, dup2, close) on fds this process owns. The pipes' ends are
        // first copied above 10 so that moving them to 3 and 4 cannot
        // overwrite each other; dup2 clears close-on-exec on the copies.
        unsafe {
            command.pre_exec(move || {
                let high = [fd3, fd4].map(|fd| libc::fcntl(fd, libc::F_DUPFD, 10));
                for (copy, target) in high.into_iter().zip([3, 4]) {
                    if copy < 0 || libc::dup2(copy, target) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    libc::close(copy);
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("chromium starts");
        drop(commands_read);
        drop(replies_write);
        let (sender, receiver) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(replies_read);
            let mut message = Vec::new();
            while reader.read_until(0, &mut message).unwrap_or(0) > 0 {
                message.pop();
                if let Ok(value) = serde_json::from_slice(&message)
                    && sender.send(value).is_err()
                {
                    break;
                }
                message.clear();
            }
        });
        let mut browser = Browser {
            child,
            to_browser: commands_write,
            from_browser: receiver,
            next_id: 0,
            session: String::new(),
            events: Vec::new(),
            profile: profile.to_path_buf(),
        };
        let target = browser.browser_call("Target.createTarget", json!({"url": "about:blank"}));
        let attached = browser.browser_call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        browser.session = attached["sessionId"].as_str().unwrap().to_string();
        for domain in ["Runtime", "Log", "Network", "Page"] {
            browser.call(&format!("{domain}.enable"), json!({}));
        }
        browser
    }

    fn send(&mut self, method: &str, params: Value, session: Option<String>) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.to_browser.write_all(&bytes).unwrap();
        let reply = self.receive_until(&format!("a reply to {method}"), |m| m["id"] == id);
        assert!(
            reply.get("error").is_none(),
            "{method} failed: {}",
            reply["error"]
        );
        reply["result"].clone()
    }

    /// The browser's messages until one satisfies `wanted`, which is
    /// returned; the others are kept as events. Fails the test after
    /// [`PATIENCE`].
    fn receive_until(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self
                .from_browser
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("waited {PATIENCE:?} for {what}"));
            if wanted(&message) {
                return message;
            }
            self.events.push(message);
        }
    }

    /// A command to the browser itself.
    pub fn browser_call(&mut self, method: &str, params: Value) -> Value {
        self.send(method, params, None)
    }

    /// A command to the page.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.send(method, params, Some(session))
    }

    /// Waits until an event satisfying `wanted` has arrived.
    pub fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(found) = self.events.iter().find(|e| wanted(e)) {
            return found.clone();
        }
        let event = self.receive_until(what, wanted);
        self.events.push(event.clone());
        event
    }

    /// Opens a URL and waits for its load event.
    pub fn open(&mut self, url: &str) {
        self.events.retain(|e| e["method"] != "Page.loadEventFired");
        self.call("Page.navigate", json!({"url": url}));
        self.wait_for("the page's load event", |e| {
            e["method"] == "Page.loadEventFired"
        });
    }

    /// The value of a JavaScript expression in the page (promises awaited).
    pub fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(
            result.get("exceptionDetails").is_none(),
            "{expression}: {}",
            result["exceptionDetails"]
        );
        result["result"]["value"].clone()
    }

    pub fn mouse(&mut self, kind: &str, x: f64, y: f64) {
        let mut params = json!({"type": kind, "x": x, "y": y});
        if kind != "mouseMoved" {
            params["button"] = json!("left");
            params["clickCount"] = json!(1);
        }
        self.call("Input.dispatchMouseEvent", params);
    }

    pub fn click(&mut self, x: f64, y: f64) {
        self.mouse("mouseMoved", x, y);
        self.mouse("mousePressed", x, y);
        self.mouse("mouseReleased", x, y);
    }

    /// Presses and releases a key: "Tab", "Enter", " ", "ArrowRight", ...
    pub fn key(&mut self, key: &str) {
        let (code, keycode, text) = match key {
            "Tab" => ("Tab", 9, ""),
            "Enter" => ("Enter", 13, "\r"),
            " " => ("Space", 32, " "),
            "ArrowLeft" => ("ArrowLeft", 37, ""),
            "ArrowUp" => ("ArrowUp", 38, ""),
            "ArrowRight" => ("ArrowRight", 39, ""),
            "ArrowDown" => ("ArrowDown", 40, ""),
            other => panic!("no key code for {other}"),
        };
        let mut down =
            json!({"type": "keyDown", "key": key, "code": code, "windowsVirtualKeyCode": keycode});
        if !text.is_empty() {
            down["text"] = json!(text);
        }
        self.call("Input.dispatchKeyEvent", down);
        self.call(
            "Input.dispatchKeyEvent",
            json!({"type": "keyUp", "key": key, "code": code, "windowsVirtualKeyCode": keycode}),
        );
    }

    /// The page's whole length at the viewport's width, as PNG bytes.
    pub fn screenshot(&mut self) -> Vec<u8> {
        use base64::Engine;
        let metrics = self.call("Page.getLayoutMetrics", json!({}));
        let width = &metrics["cssLayoutViewport"]["clientWidth"];
        let height = &metrics["cssContentSize"]["height"];
        let clip = json!({"x": 0, "y": 0, "width": width, "height": height, "scale": 1});
        let shot = self.call(
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": true, "clip": clip}),
        );
        base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap()
    }

    /// Every console message, uncaught exception and error logged so far.
    pub fn problems(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e["method"].as_str()? {
                "Runtime.consoleAPICalled" => Some(format!(
                    "console.{}: {}",
                    e["params"]["type"], e["params"]["args"]
                )),
                "Runtime.exceptionThrown" => {
                    Some(format!("exception: {}", e["params"]["exceptionDetails"]))
                }
                // Chromium's own "verbose" and "info" notes (a slow handler,
                // say) are not the page's faults.
                "Log.entryAdded"
                    if matches!(
                        e["params"]["entry"]["level"].as_str(),
                        Some("warning" | "error")
                    ) =>
                {
                    Some(format!("log: {}", e["params"]["entry"]))
                }
                _ => None,
            })
            .collect()
    }

    /// The URL of every request the page made.
    pub fn requests(&self) -> Vec<String> {
        self.events
            .iter()
            .filter(|e| e["method"] == "Network.requestWillBeSent")
            .filter_map(|e| e["params"]["request"]["url"].as_str().map(String::from))
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
