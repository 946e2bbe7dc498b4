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
