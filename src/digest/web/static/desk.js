/* The editor's desk, enhanced (no dependency, no build step; the desk works without it).

   Forms marked data-live post in the background; the server answers exactly as it does
   without script (a redirect to the page, or the page with the reason it refused), and the
   page regions marked data-region are swapped in place, so an action shows its result once,
   without a page load, and a reload never posts it again. The preview follows the edition
   (its frame reloads only when the edition changed) and its tabs switch without a page load.
   Focus stays where the editor was: on the same button of the same story, or on the result.
   A link dragged from another page and dropped on a story is added after that story (the
   "Add a story by URL" form, filled and sent; the keyboard's way is that form itself). */
(() => {
  "use strict";

  const frame = () => document.getElementById("frame");

  /* The preview's view links become tabs (WAI-ARIA: arrow keys move between them). */
  function upgradeTabs(root) {
    for (const list of root.querySelectorAll("[data-tabs]")) {
      list.setAttribute("role", "tablist");
      for (const tab of list.querySelectorAll("a[data-view]")) {
        const on = tab.getAttribute("aria-current") === "page";
        tab.removeAttribute("aria-current");
        tab.setAttribute("role", "tab");
        tab.setAttribute("aria-controls", "frame");
        tab.setAttribute("aria-selected", on ? "true" : "false");
        tab.tabIndex = on ? 0 : -1;
        if (on && frame()) {
          frame().setAttribute("role", "tabpanel");
          frame().setAttribute("aria-labelledby", tab.id);
        }
      }
    }
  }
  upgradeTabs(document);

  function selectTab(tab, focus) {
    const list = tab.closest("[role=tablist]");
    for (const other of list.querySelectorAll("[role=tab]")) {
      const on = other === tab;
      other.setAttribute("aria-selected", on ? "true" : "false");
      other.tabIndex = on ? 0 : -1;
    }
    const view = tab.dataset.view;
    const iframe = frame();
    iframe.closest("[data-frame]").className = "frame frame-" + view;
    iframe.setAttribute("aria-labelledby", tab.id);
    if (iframe.getAttribute("src") !== tab.dataset.src) {
      iframe.setAttribute("src", tab.dataset.src);
    }
    const picker = document.querySelector("[data-as]");
    if (picker) {
      picker.hidden = view !== "subscriber";
    }
    const url = new URL(location.href);
    url.searchParams.set("view", view);
    if (view !== "subscriber") {
      url.searchParams.delete("as");
    }
    history.replaceState(null, "", url);
    if (focus) {
      tab.focus();
    }
  }

  function showSubscriber(id) {
    const tab = document.getElementById("tab-subscriber");
    if (!tab) {
      return;
    }
    const src = new URL(tab.dataset.src, location.href);
    src.searchParams.set("as", id);
    tab.dataset.src = src.pathname + src.search;
    tab.setAttribute("href", "?view=subscriber&as=" + encodeURIComponent(id));
    selectTab(tab, false);
    const url = new URL(location.href);
    url.searchParams.set("as", id);
    history.replaceState(null, "", url);
  }

  document.addEventListener("click", (event) => {
    const tab = event.target.closest && event.target.closest("[role=tab]");
    if (tab) {
      event.preventDefault();
      selectTab(tab, false);
    }
  });

  document.addEventListener("keydown", (event) => {
    const tab = event.target.closest && event.target.closest("[role=tab]");
    const keys = ["ArrowLeft", "ArrowRight", "Home", "End"];
    if (!tab || !keys.includes(event.key)) {
      return;
    }
    const tabs = [...tab.closest("[role=tablist]").querySelectorAll("[role=tab]")];
    const at = tabs.indexOf(tab);
    const step = event.key === "ArrowRight" ? 1 : -1;
    const to =
      event.key === "Home" ? 0 : event.key === "End" ? tabs.length - 1 : (at + step + tabs.length) % tabs.length;
    event.preventDefault();
    selectTab(tabs[to], true);
  });

  document.addEventListener("change", (event) => {
    if (event.target.matches && event.target.matches("[data-as] select")) {
      showSubscriber(event.target.value);
    }
  });

  const regionIds = (root) => [...root.querySelectorAll("[data-region]")].map((e) => e.id).join(" ");

  /* The preview follows the new page: same tab, the edition's new version, same subscriber. */
  function followPreview(doc) {
    const picker = document.querySelector("[data-as] select");
    for (const fresh of doc.querySelectorAll("[data-tabs] a[data-view]")) {
      const tab = document.getElementById(fresh.id);
      if (!tab) {
        continue;
      }
      const src = new URL(fresh.dataset.src, location.href);
      if (fresh.dataset.view === "subscriber" && picker) {
        src.searchParams.set("as", picker.value);
      }
      tab.dataset.src = src.pathname + src.search;
    }
    const chosen = document.querySelector("[role=tab][aria-selected=true]");
    if (chosen && frame() && frame().getAttribute("src") !== chosen.dataset.src) {
      frame().setAttribute("src", chosen.dataset.src);
    }
  }

  /* Every form names the edition version it was made on: after a swap the whole page is the
     new version's, so forms outside the swapped regions name it too. */
  function syncVersion(doc) {
    const fresh = doc.querySelector("input[name=version]");
    if (fresh) {
      document.querySelectorAll("input[name=version]").forEach((e) => (e.value = fresh.value));
    }
  }

  function swap(doc) {
    if (!doc.querySelector("[data-region]")) {
      return false;
    }
    syncVersion(doc);
    if (regionIds(doc) !== regionIds(document)) {
      document.querySelector("main").replaceChildren(...doc.querySelector("main").childNodes);
      upgradeTabs(document);
      return true;
    }
    for (const fresh of [...doc.querySelectorAll("[data-region]")]) {
      document.getElementById(fresh.id).replaceWith(fresh);
    }
    syncVersion(doc);
    followPreview(doc);
    return true;
  }

  function showError(text) {
    const region = document.getElementById("flash");
    if (region) {
      const line = document.createElement("p");
      line.className = "flash flash-error";
      line.textContent = text;
      region.replaceChildren(line);
    }
  }

  function where(form, submitter) {
    const key = form.elements.namedItem("key");
    return {
      key: key ? key.value : null,
      action: submitter ? submitter.value : null,
      id: submitter && submitter.id ? submitter.id : document.activeElement && document.activeElement.id,
    };
  }

  function restoreFocus(place) {
    let target = null;
    if (place.key) {
      const story = document.querySelector('[data-key="' + CSS.escape(place.key) + '"]');
      if (story) {
        const button = story.querySelector('button[value="' + CSS.escape(place.action || "") + '"]');
        const usable = button && !button.disabled && button.offsetParent !== null;
        target = usable ? button : story.querySelector("h3"); // e.g. inside a closed "Edit"
      }
    } else if (place.id) {
      target = document.getElementById(place.id);
    }
    if (!target) {
      target = document.querySelector("#flash .flash");
      if (target) {
        target.tabIndex = -1;
      }
    }
    if (target) {
      target.focus();
    }
  }

  /* A link dropped on a story: "Add a story by URL" after it. */
  const droppedLink = (event) => {
    const data = event.dataTransfer;
    const text = data ? data.getData("text/uri-list") || data.getData("text/plain") : "";
    const url = text.split(/\r?\n/).find((line) => line && !line.startsWith("#")) || "";
    return /^https?:\/\//i.test(url.trim()) ? url.trim() : "";
  };
  document.addEventListener("dragover", (event) => {
    const story = event.target.closest && event.target.closest("article.story");
    const types = event.dataTransfer ? [...event.dataTransfer.types] : [];
    if (story && (types.includes("text/uri-list") || types.includes("text/plain"))) {
      event.preventDefault(); // this story takes the drop
      event.dataTransfer.dropEffect = "copy";
    }
  });
  document.addEventListener("drop", (event) => {
    const story = event.target.closest && event.target.closest("article.story");
    const form = document.querySelector("form.add-form");
    const url = droppedLink(event);
    if (!story || !form || !url) {
      return;
    }
    event.preventDefault();
    form.elements.namedItem("url").value = url;
    form.elements.namedItem("place").value = "after:" + story.dataset.key;
    form.requestSubmit();
  });

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (form.matches("[data-as]")) {
      event.preventDefault();
      showSubscriber(form.elements.namedItem("as").value);
      return;
    }
    if (!form.matches("[data-live]")) {
      return;
    }
    event.preventDefault();
    const submitter = event.submitter;
    const body = new URLSearchParams(new FormData(form, submitter));
    const chosen = document.querySelector("[role=tab][aria-selected=true]");
    if (chosen && body.has("view")) {
      body.set("view", chosen.dataset.view);
    }
    const place = where(form, submitter);
    const buttons = [...form.querySelectorAll("button")].filter((b) => !b.disabled);
    form.setAttribute("aria-busy", "true");
    buttons.forEach((b) => (b.disabled = true)); // one click, one action
    const done = () => {
      form.removeAttribute("aria-busy");
      buttons.forEach((b) => (b.disabled = false));
    };
    try {
      // getAttribute: `form.action` is the buttons named "action" on the story forms.
      const response = await fetch(form.getAttribute("action"), {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      if (swap(doc)) {
        if (new URL(response.url).pathname === location.pathname) {
          const url = new URL(response.url);
          const now = new URL(location.href);
          url.searchParams.forEach((value, name) => now.searchParams.set(name, value));
          history.replaceState(null, "", now);
        }
        done(); // a form that was not swapped out is ready again
        restoreFocus(place);
        return;
      }
      const said = doc.querySelector("main .card p, main p");
      showError(said ? said.textContent : "The desk refused that: reload the page and try again.");
    } catch (error) {
      showError("The desk did not answer: check the connection and try again.");
    }
    done();
  });
})();
