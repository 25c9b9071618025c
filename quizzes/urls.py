from django.contrib.auth import views as auth_views
from django.urls import path

from quizzes.views import accounts, browse, home, play, progress, reports, review, study

urlpatterns = [
    path("", home.home, name="home"),
    path("robots.txt", home.robots_txt, name="robots_txt"),
    path("favicon.ico", home.favicon),
    # Browsing the deck: permalinks built on the deck slug and the card number.
    path("decks/<slug:slug>/", browse.card_list, name="card_list"),
    path("decks/<slug:slug>/random/", browse.card_random, name="card_random"),
    path("decks/<slug:slug>/anki.apkg", browse.deck_package, name="deck_package"),
    path("decks/<slug:slug>/cards/<int:number>/", browse.card_detail, name="card_detail"),
    path("decks/<slug:slug>/cards/<int:number>/answer/", browse.card_answer, name="card_answer"),
    path("decks/<slug:slug>/cards/<int:number>/report/", reports.card_report, name="card_report"),
    # Quizzes, scores and accounts.
    path("quiz/", play.quiz_setup, name="quiz_setup"),
    path("quiz/quick/", play.quiz_quick, name="quiz_quick"),
    path("quiz/<uuid:pk>/", play.attempt_play, name="attempt_play"),
    path("quiz/<uuid:pk>/answer/", play.attempt_answer, name="attempt_answer"),
    path(
        "quiz/<uuid:pk>/questions/<int:position>/",
        play.attempt_question,
        name="attempt_question",
    ),
    path("quiz/<uuid:pk>/result/", play.attempt_result, name="attempt_result"),
    path("quiz/<uuid:pk>/retry/", play.attempt_retry, name="attempt_retry"),
    path("challenge/<uuid:pk>/", play.challenge, name="challenge"),
    path("challenge/<uuid:pk>/accept/", play.challenge_accept, name="challenge_accept"),
    path("me/history/", progress.history, name="history"),
    path("me/cards/", progress.my_cards, name="my_cards"),
    path("leaderboard/", progress.leaderboard, name="leaderboard"),
    # The study loop (issue 10).
    path("review/", review.review, name="review"),
    path("review/answer/", review.review_answer, name="review_answer"),
    path("review/undo/", review.review_undo, name="review_undo"),
    path("review/more/", review.review_more_new, name="review_more_new"),
    path("review/more-reviews/", review.review_more_reviews, name="review_more_reviews"),
    path("review/leeches/", review.review_leeches_unsuspend, name="review_leeches_unsuspend"),
    path("review/bury/", review.review_bury, name="review_bury"),
    path("review/suspend/", review.review_suspend, name="review_suspend"),
    path("review/undo-hold/", review.review_hold_undo, name="review_hold_undo"),
    path("me/suspended/", review.held_cards, name="held_cards"),
    path("me/suspended/unsuspend/", review.card_unsuspend, name="card_unsuspend"),
    path("decks/<slug:slug>/cards/<int:number>/study/", review.card_study, name="card_study"),
    path("me/progress/", study.study_progress, name="study_progress"),
    path("me/settings/", study.study_settings, name="study_settings"),
    path("me/settings/fit/", study.study_parameters_fit, name="study_parameters_fit"),
    path("quiz/these/", study.quiz_these, name="quiz_these"),
    path("me/account/", accounts.account, name="account"),
    path("me/account/data.json", accounts.account_export, name="account_export"),
    path("me/account/email/", accounts.account_email, name="account_email"),
    path("me/account/delete/", accounts.account_delete, name="account_delete"),
    path("accounts/email/<str:token>/", accounts.email_confirm, name="email_confirm"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        accounts.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/reset/",
        accounts.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        accounts.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        accounts.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
