"""Comment routes: post on an idea, edit and delete one's own."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import rules
from ..errors import Invalid
from ..forms import ActionForm
from ..ideas import queries as idea_queries
from ..limits import per_member
from ..web import form_error, wants_json
from . import services
from .forms import CommentForm

bp = Blueprint("comments", __name__)


@bp.post("/ideas/<int:idea_id>/comments")
@login_required
@per_member("COMMENT_RATE_LIMIT")
def create(idea_id: int):
    form = CommentForm()
    if form.validate_on_submit():
        try:
            comment_id = services.add_comment(idea_id=idea_id, author_id=current_user.id, body=form.body.data,
                                              official=bool(form.official.data))
        except Invalid as error:
            form_error(form, error)
        else:
            if wants_json():
                return {"id": comment_id}, 201
            flash("Your comment is posted.", "success")
            return redirect(url_for("ideas.detail", idea_id=idea_id) + f"#comment-{comment_id}")
    if wants_json():
        raise Invalid(" ".join(message for messages in form.errors.values() for message in messages)
                      or "Write a comment first.")
    # Show the idea again with the error next to the comment box and the text kept.
    detail = idea_queries.idea_detail(idea_id, viewer_id=current_user.id)
    return render_template("ideas/detail.html", detail=detail, comment_form=form), 400


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id: int):
    comment = services.get_comment(comment_id)
    rules.check_can_change_comment(actor_id=current_user.id, author_id=comment.author_id, deleted=comment.deleted)
    form = CommentForm(data=None if request.method == "POST" else {"body": comment.body})
    if form.validate_on_submit():
        try:
            services.edit_comment(comment_id=comment_id, editor_id=current_user.id, body=form.body.data)
        except Invalid as error:
            form_error(form, error)
        else:
            flash("Your comment is updated.", "success")
            return redirect(url_for("ideas.detail", idea_id=comment.idea_id) + f"#comment-{comment_id}")
    return render_template("comments/edit.html", form=form, comment=comment), 400 if form.errors else 200


@bp.post("/comments/<int:comment_id>/delete")
@login_required
def delete(comment_id: int):
    form = ActionForm()
    if form.validate_on_submit():
        comment = services.delete_comment(comment_id=comment_id, actor_id=current_user.id)
        flash("Your comment is deleted.", "info")
        return redirect(url_for("ideas.detail", idea_id=comment.idea_id) + f"#comment-{comment_id}")
    return redirect(url_for("main.home"))
