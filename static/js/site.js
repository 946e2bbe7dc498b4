// Progressive enhancement only: every form here also works without JavaScript.
"use strict";

function updateVoteWidget(form, tally) {
  form.querySelector("[data-score]").textContent = tally.score;
  form.querySelector("[data-upvotes]").textContent = tally.upvotes;
  form.querySelector("[data-downvotes]").textContent = tally.downvotes;
  for (const button of form.querySelectorAll("button[data-direction]")) {
    const direction = Number(button.dataset.direction);
    const pressed = tally.my_vote === direction;
    button.setAttribute("aria-pressed", String(pressed));
    button.value = pressed ? "0" : String(direction); // pressing again withdraws the vote
  }
  const state = form.querySelector("[data-vote-state]");
  if (state) { // "Voted · Undo" while the member has a vote here
    state.hidden = !tally.my_vote;
    state.querySelector("[data-vote-label]").textContent = tally.my_vote === -1 ? "Voted down" : "Voted";
  }
  if (tally.budget_left !== undefined) { // a Storm Session's votes left, shown on its pages
    for (const left of document.querySelectorAll("[data-budget-left]")) left.textContent = tally.budget_left;
  }
}

async function submitVote(event) {
  const form = event.target.closest("form[data-vote]");
  if (!form || form.dataset.plain) return;
  event.preventDefault();
  const body = new FormData(form, event.submitter);
  form.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    const data = await response.json().catch(() => null);
    if (response.status === 401 && data && data.login_url) {
      window.location.assign(data.login_url);
    } else if (response.ok && data) {
      updateVoteWidget(form, data);
    } else {
      submitPlainly(form, event.submitter); // let the server explain in a full page
    }
  } catch (error) {
    submitPlainly(form, event.submitter);
  } finally {
    form.removeAttribute("aria-busy");
  }
}

function submitPlainly(form, submitter) {
  form.dataset.plain = "1";
  form.requestSubmit(submitter);
}

function confirmSubmit(event) {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
}

document.addEventListener("submit", (event) => {
  confirmSubmit(event);
  if (!event.defaultPrevented) submitVote(event);
});

// Similar ideas while a new idea is typed: after a pause, existing ideas like it appear under the
// title (in a polite live region), each with "Vote for this instead". Built with textContent only.
const SIMILAR_DELAY_MS = 300;
const SIMILAR_MIN_CHARS = 3;

function element(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children);
  return node;
}

function similarItem(idea) {
  const link = element("a", "similar__title", idea.title);
  link.href = idea.url;
  const badge = element("span", `badge badge--${idea.status_kind} badge--${idea.status_slug}`, idea.status_label);
  const meta = element("span", "similar__meta", badge, " ",
    element("span", "", `${Math.round(idea.similarity * 100)}% match`), " ",
    element("span", "", `${idea.votes} vote${idea.votes === 1 ? "" : "s"}`));
  if (idea.closed_note) {
    const note = element("span", "similar__closed", idea.closed_note);
    return element("li", "similar__item", link, " ", meta, " ", note);
  }
  const button = element("button", "button similar__vote", "Vote for this instead",
    element("span", "visually-hidden", `: “${idea.title}”`));
  Object.assign(button, { type: "submit", name: "value", value: "1" });
  button.setAttribute("form", `vote-instead-${idea.id}`);
  return element("li", "similar__item", link, " ", meta, " ", button);
}

function voteInsteadForm(idea, csrfToken) {
  const form = element("form", "");
  Object.assign(form, { id: `vote-instead-${idea.id}`, method: "post", action: idea.vote_url, hidden: true });
  form.dataset.voteInstead = "";
  for (const [name, value] of [["csrf_token", csrfToken], ["next", idea.url], ["instead", "1"]]) {
    const input = element("input", "");
    Object.assign(input, { type: "hidden", name, value });
    form.append(input);
  }
  return form;
}

function showSimilar(region, formsHolder, ideas, csrfToken) {
  const content = ideas.length ? [
    element("h2", "similar__heading", "Similar ideas already posted"),
    element("p", "similar__help", "If one of these is your idea, a vote for it counts for more than a second copy."),
    element("ul", "similar__list", ...ideas.map(similarItem)),
  ] : [];
  region.replaceChildren(...content);
  formsHolder.replaceChildren(...ideas.filter((idea) => !idea.closed_note).map((idea) => voteInsteadForm(idea, csrfToken)));
}

// The triage inbox: "Select all" ticks the page's boxes in place (without the script it reloads the page
// with them ticked), and the bulk form's legend says how many are selected.
function setUpBulkSelection() {
  const toggle = document.querySelector("a[data-select-all]");
  const count = document.querySelector(".triage-bulk__count");
  if (!toggle || !count) return;
  const boxes = () => [...document.querySelectorAll('input[type="checkbox"][name="idea_ids"]')];
  const label = toggle.dataset.selectAll === "on" ? toggle.textContent : "Select all on this page";
  const update = () => {
    const checked = boxes().filter((box) => box.checked).length;
    count.textContent = checked ? `(${checked} selected)` : "";
    toggle.dataset.selectAll = checked === boxes().length ? "off" : "on";
    toggle.textContent = toggle.dataset.selectAll === "off" ? "Clear the selection" : label;
  };
  toggle.addEventListener("click", (event) => {
    event.preventDefault();
    const on = toggle.dataset.selectAll === "on";
    for (const box of boxes()) box.checked = on;
    update();
  });
  document.addEventListener("change", (event) => {
    if (event.target.name === "idea_ids") update();
  });
  update();
}

function setUpSimilarIdeas() {
  const form = document.querySelector("form[data-similar-url]");
  const region = document.getElementById("similar-ideas");
  const formsHolder = document.getElementById("similar-vote-forms");
  if (!form || !region || !formsHolder) return;
  const { title, body, csrf_token: csrf } = form.elements;
  let timer = null;
  let controller = null;
  let asked = "";
  async function ask() {
    if (title.value.trim().length < SIMILAR_MIN_CHARS) {
      asked = "";
      if (controller) controller.abort();
      showSimilar(region, formsHolder, [], "");
      return;
    }
    const query = new URLSearchParams({ title: title.value, body: body ? body.value.slice(0, 1000) : "", typing: "1" });
    if (query.toString() === asked) return;
    asked = query.toString();
    if (controller) controller.abort();
    controller = new AbortController();
    try {
      const response = await fetch(`${form.dataset.similarUrl}?${query}`, {
        headers: { Accept: "application/json" }, credentials: "same-origin", signal: controller.signal,
      });
      if (response.ok) showSimilar(region, formsHolder, (await response.json()).ideas, csrf ? csrf.value : "");
    } catch (error) {
      // aborted by newer typing, or offline: keep what is shown
    }
  }
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(ask, SIMILAR_DELAY_MS);
  };
  title.addEventListener("input", later);
  if (body) body.addEventListener("input", later);
}

async function voteInstead(event) {
  const form = event.target.closest("form[data-vote-instead]");
  if (!form || form.dataset.plain) return;
  event.preventDefault();
  const button = event.submitter;
  const body = new FormData(form, button);
  button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST", body, headers: { Accept: "application/json" }, credentials: "same-origin",
    });
    const data = await response.json().catch(() => null);
    if (response.status === 401 && data && data.login_url) {
      window.location.assign(data.login_url);
    } else if (response.ok) {
      const link = element("a", "", "See the idea");
      link.href = form.elements.next.value;
      button.replaceWith(element("p", "similar__voted", "Your vote is counted. ", link));
      link.focus();
    } else {
      button.disabled = false;
      submitPlainly(form, button); // let the server explain in a full page
    }
  } catch (error) {
    button.disabled = false;
    submitPlainly(form, button);
  }
}

document.addEventListener("submit", (event) => {
  if (!event.defaultPrevented) voteInstead(event);
});
setUpSimilarIdeas();
setUpBulkSelection();

// The header's menus (<details data-menu>) work without a script; with one, Escape or a click elsewhere
// closes an open menu, as people expect of a menu.
function closeMenus(except, restoreFocus) {
  for (const menu of document.querySelectorAll("details[data-menu][open]")) {
    if (except && menu.contains(except)) continue;
    const hadFocus = menu.contains(document.activeElement);
    menu.open = false;
    if (restoreFocus && hadFocus) menu.querySelector("summary").focus();
  }
}
document.addEventListener("click", (event) => closeMenus(event.target, false));
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closeMenus(null, true);
});
