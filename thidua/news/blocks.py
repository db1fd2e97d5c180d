"""Blocks of an article's body: paragraphs of rich text and figures (an image with its caption)."""

from __future__ import annotations

from wagtail import blocks
from wagtail.images.blocks import ImageBlock

# What an editor may format in a paragraph: news prose, no headings of arbitrary level (the page's
# outline is title → section headings, kept in order by the heading block below).
PARAGRAPH_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class FigureBlock(blocks.StructBlock):
    # ImageBlock asks for the alternative text (or marks the image decorative), which screen readers need.
    image = ImageBlock(label="Ảnh")
    caption = blocks.CharBlock(label="Chú thích ảnh", required=False, max_length=300)

    class Meta:
        label = "Ảnh và chú thích"
        icon = "image"
        template = "news/blocks/figure.html"


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(label="Đoạn văn", features=PARAGRAPH_FEATURES)
    heading = blocks.CharBlock(label="Tiêu đề mục", max_length=200, template="news/blocks/heading.html")
    figure = FigureBlock()
