// The emulator page: sends what the resident types or taps, and shows what the bot sent to "LINE".
// Plain DOM, no libraries; every text is set with textContent, never parsed as HTML.
(function () {
  "use strict";

  const STORAGE_KEY = "yorisoi-emulator-user";
  const POLL_MS = 600;
  const chat = document.getElementById("chat");
  const quickReplies = document.getElementById("quick-replies");
  const loading = document.getElementById("loading");
  const input = document.getElementById("text");
  let user = localStorage.getItem(STORAGE_KEY);
  let last = 0;
  let polling = false;
  let latestQuickReply = null;

  function newUserId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "U" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  if (!user || !/^U[0-9a-f]{32}$/.test(user)) {
    user = newUserId();
    localStorage.setItem(STORAGE_KEY, user);
  }
  document.getElementById("user-id").textContent = user.slice(0, 9) + "…";

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  async function send(kind, payload) {
    clearQuickReplies();
    const body = Object.assign({ user: user, kind: kind }, payload || {});
    const response = await fetch("/emulator/send", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      addSystem("送信できませんでした: " + (problem.error || response.status));
    }
    poll();
  }

  function act(action) {
    if (!action) return;
    if (action.type === "message") {
      send("text", { text: action.text });
    } else if (action.type === "postback") {
      send("postback", { data: action.data, label: action.displayText || "" });
    } else if (action.type === "uri" && /^https?:\/\//.test(action.uri)) {
      window.open(action.uri, "_blank", "noopener");
    }
  }

  function clearQuickReplies() {
    latestQuickReply = null;
    quickReplies.replaceChildren();
  }

  function showQuickReplies(quickReply) {
    quickReplies.replaceChildren();
    ((quickReply && quickReply.items) || []).forEach((item) => {
      const button = el("button", "chip", item.action.label);
      button.type = "button";
      button.addEventListener("click", () => act(item.action));
      quickReplies.appendChild(button);
    });
  }

  // ---- Flex, rendered simply -------------------------------------------------------------------------
  const SIZES = ["xxs", "xs", "sm", "md", "lg", "xl", "xxl"];

  function flexComponent(component) {
    switch (component.type) {
      case "box": {
        const box = el("div", "fx-box fx-" + (component.layout || "vertical"));
        (component.contents || []).forEach((child) => {
          const node = flexComponent(child);
          if (node) box.appendChild(node);
        });
        return box;
      }
      case "text": {
        const text = el("div", "fx-text", component.text);
        if (SIZES.includes(component.size)) text.classList.add("fx-size-" + component.size);
        if (component.weight === "bold") text.classList.add("fx-bold");
        if (component.color && /^#[0-9a-fA-F]{6}$/.test(component.color)) text.style.color = component.color;
        return text;
      }
      case "separator":
        return el("hr", "fx-separator");
      case "button": {
        const button = el("button", "fx-button", component.action && component.action.label);
        button.type = "button";
        button.addEventListener("click", () => act(component.action));
        return button;
      }
      default:
        return null;
    }
  }

  function flexBubble(bubble) {
    const card = el("div", "fx-bubble");
    ["header", "hero", "body", "footer"].forEach((part) => {
      if (bubble[part]) {
        const node = flexComponent(bubble[part]);
        if (node) {
          node.classList.add("fx-" + part);
          card.appendChild(node);
        }
      }
    });
    return card;
  }

  function flexMessage(message) {
    const wrapper = el("div", "flex");
    wrapper.setAttribute("aria-label", message.altText || "");
    const contents = message.contents || {};
    const bubbles = contents.type === "carousel" ? contents.contents || [] : [contents];
    const row = el("div", "fx-carousel");
    bubbles.forEach((bubble) => row.appendChild(flexBubble(bubble)));
    wrapper.appendChild(row);
    return wrapper;
  }

  // ---- the transcript ------------------------------------------------------------------------------
  function addSystem(text) {
    chat.appendChild(el("div", "system", text));
  }

  function addEntry(entry) {
    const message = entry.message || {};
    if (entry.from === "system") {
      addSystem(message.text);
      return;
    }
    const row = el("div", "msg " + entry.from);
    row.dataset.seq = entry.seq;
    if (entry.via) row.dataset.via = entry.via;
    if (message.type === "text") {
      row.appendChild(el("div", "text", message.text));
    } else if (message.type === "flex") {
      row.appendChild(flexMessage(message));
    } else {
      row.appendChild(el("div", "text", "[" + message.type + "]"));
    }
    chat.appendChild(row);
    if (entry.from === "bot") {
      latestQuickReply = message.quickReply || null;
    } else {
      latestQuickReply = null;
    }
  }

  async function poll() {
    if (polling) return;
    polling = true;
    try {
      const response = await fetch("/emulator/messages?user=" + user + "&after=" + last);
      if (response.ok) {
        const data = await response.json();
        if (data.entries.length) {
          data.entries.forEach(addEntry);
          last = data.entries[data.entries.length - 1].seq;
          showQuickReplies(latestQuickReply);
          chat.scrollTop = chat.scrollHeight;
        }
        loading.hidden = !data.loading;
        if (last === 0 && !sessionStorage.getItem("followed-" + user)) {
          sessionStorage.setItem("followed-" + user, "1");
          send("follow");
        }
      }
    } finally {
      polling = false;
    }
  }

  // ---- the rich menu -------------------------------------------------------------------------------
  async function richMenu() {
    const response = await fetch("/emulator/richmenu");
    if (!response.ok) return;
    const menu = await response.json();
    const holder = document.getElementById("rich-menu");
    const image = el("img");
    image.src = menu.image;
    image.alt = (menu.areas || []).map((area) => area.action.label).join(" / ");
    holder.replaceChildren(image);
    (menu.areas || []).forEach((area) => {
      const button = el("button", "area");
      button.type = "button";
      button.title = area.action.label || "";
      button.setAttribute("aria-label", area.action.label || "");
      button.style.left = (100 * area.bounds.x) / menu.size.width + "%";
      button.style.top = (100 * area.bounds.y) / menu.size.height + "%";
      button.style.width = (100 * area.bounds.width) / menu.size.width + "%";
      button.style.height = (100 * area.bounds.height) / menu.size.height + "%";
      button.addEventListener("click", () => act(area.action));
      holder.appendChild(button);
    });
  }

  document.getElementById("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    send("text", { text: text });
  });
  document.getElementById("follow").addEventListener("click", () => send("follow"));
  document.getElementById("unfollow").addEventListener("click", () => send("unfollow"));
  document.getElementById("new-user").addEventListener("click", () => {
    localStorage.removeItem(STORAGE_KEY);
    location.reload();
  });

  richMenu();
  poll();
  setInterval(poll, POLL_MS);
})();
