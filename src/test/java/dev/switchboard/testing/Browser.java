package dev.switchboard.testing;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Debian's Chromium, headless, driven through Debian's ChromeDriver (never Selenium Manager: both
 * paths are given). {@link #close()} quits the browser and removes its profile.
 */
public final class Browser implements AutoCloseable {

    private static final String CHROMIUM = System.getProperty("switchboard.test.chromium", "/usr/bin/chromium");
    private static final String CHROMEDRIVER = System.getProperty("switchboard.test.chromedriver", "/usr/bin/chromedriver");

    private final ChromeDriver driver;
    private final ChromeDriverService service;
    private final Path profile;

    private Browser(ChromeDriver driver, ChromeDriverService service, Path profile) {
        this.driver = driver;
        this.service = service;
        this.profile = profile;
    }

    public static Browser start() throws IOException {
        if (!new File(CHROMIUM).canExecute() || !new File(CHROMEDRIVER).canExecute()) {
            throw new IllegalStateException("Chromium and ChromeDriver are needed at " + CHROMIUM + " and "
                    + CHROMEDRIVER + ": run scripts/install-test-deps.sh (the README's test command does)");
        }
        Path profile = Files.createTempDirectory("switchboard-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        try {
            return new Browser(new ChromeDriver(service, options), service, profile);
        } catch (RuntimeException e) {
            service.stop();
            deleteTree(profile);
            throw e;
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    public WebDriverWait waitUpTo(Duration timeout) {
        return new WebDriverWait(driver, timeout);
    }

    /**
     * Emulates {@code prefers-color-scheme} through the DevTools protocol: "dark", "light", or ""
     * for the system's own (the pages' dark mode, under test).
     */
    public void colourScheme(String scheme) {
        driver.executeCdpCommand("Emulation.setEmulatedMedia", java.util.Map.of("features",
                scheme.isEmpty() ? java.util.List.of()
                        : java.util.List.of(java.util.Map.of("name", "prefers-color-scheme", "value", scheme))));
    }

    /**
     * Logs in on login.html as a person would and lands on {@code next}: waits for the form (the
     * page shows it once it knows nobody is logged in), and for leaving the page (its own URL,
     * {@code login.html?next=X}, already contains X).
     */
    public void logIn(RunningServer server, String user, String password, String next) {
        driver.get(server.http("login.html?next=" + next).toString());
        waitUpTo(Duration.ofSeconds(10)).until(d -> d.findElement(org.openqa.selenium.By.id("user")).isDisplayed());
        driver.findElement(org.openqa.selenium.By.id("user")).sendKeys(user);
        driver.findElement(org.openqa.selenium.By.id("password")).sendKeys(password, org.openqa.selenium.Keys.ENTER);
        waitUpTo(Duration.ofSeconds(10)).until(d -> !d.getCurrentUrl().contains("login.html")
                && d.getCurrentUrl().contains(next.split("\\?")[0]));
    }

    /** Saves a PNG of the page under target/screenshots and returns its path. */
    public Path screenshot(String name) throws IOException {
        Path dir = Path.of(System.getProperty("switchboard.test.screenshots", "target/screenshots"));
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".png");
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), file, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    /** Quits every browser started (null ones skipped), then stops the server, whatever fails first. */
    public static void closeAll(RunningServer server, Browser... browsers) {
        try {
            for (Browser browser : browsers) {
                if (browser != null) {
                    browser.close();
                }
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            deleteTree(profile);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException ignored) {
            // a leftover temp profile is harmless
        }
    }
}
